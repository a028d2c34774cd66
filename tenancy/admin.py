"""The operators' back-office (Django's admin, staff only): organisations with their activity, people, members.

Every change made here is recorded in the admin's history (LogEntry), shown on each object's « Historique ».
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tenancy.models import Invitation, Membership, Organization, User

admin.site.site_header = _("Cap Partagé — back-office des opérateurs")
admin.site.site_title = _("Cap Partagé — opérateurs")
admin.site.index_title = _("Organisations, comptes et demandes d'accès")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """The list of organisations with their activity: members, last login of any member, roadmaps and how far."""

    list_display = ["name", "kind", "member_count", "last_login", "roadmap_count", "furthest_status", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("memberships", distinct=True),
                _last_login=Max("memberships__user__last_login"),
                _roadmaps=Count("roadmaps", distinct=True),
            )
            .prefetch_related("roadmaps")
        )

    @admin.display(description=_("membres"), ordering="_members")
    def member_count(self, obj: Any) -> int:
        return obj._members

    @admin.display(description=_("dernière connexion d'un membre"), ordering="_last_login")
    def last_login(self, obj: Any) -> Any:
        return obj._last_login

    @admin.display(description=_("feuilles de route"), ordering="_roadmaps")
    def roadmap_count(self, obj: Any) -> int:
        return obj._roadmaps

    @admin.display(description=_("statut le plus avancé"))
    def furthest_status(self, obj: Organization) -> str:
        order = ["brouillon", "presentee", "adoptee", "en_mise_en_oeuvre"]
        roadmaps = list(obj.roadmaps.all())
        if not roadmaps:
            return "—"
        best = max(roadmaps, key=lambda r: order.index(r.status) if r.status in order else -1)
        return str(best.get_status_display())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["slug", "created_at"] if obj else ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "function", "structure", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "full_name", "structure"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profil"), {"fields": ("full_name", "function", "structure")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at", "email_sent_at", "email_error"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    readonly_fields = ["token", "created_at", "accepted_at", "email_sent_at", "email_error"]
    autocomplete_fields = ["organization"]
    exclude = ["invited_by"]
