"""Installed instead of django.contrib.admin (settings' INSTALLED_APPS): `admin.site` is the operators' site, which
requires a second factor (tenancy/admin_site.py). Kept apart from it: this module is imported before the models."""

from django.contrib.admin.apps import AdminConfig


class OperatorsAdminConfig(AdminConfig):
    default_site = "tenancy.admin_site.OperatorsAdminSite"
