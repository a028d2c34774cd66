"""The guard under the views' lookups: an organisation-owned row whose parents (foreign keys) belong to another
organisation is never written. Used by the step apps' models (chantiers, resourcemaps)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def check_same_organization(instance: models.Model, *parents: str) -> None:
    """Refuses a row whose organisation is not its parents' (a fiche of another organisation's chantier, a resource
    naming another organisation's actor…). The views look everything up through request.tenant; this is the guard
    under them, run on every save (a parent already loaded costs no query)."""
    organization_id = getattr(instance, "organization_id", None)
    if organization_id is None:
        return  # not known yet (a ModelForm's clean before the view sets it): the save will check
    for name in parents:
        field: Any = instance._meta.get_field(name)
        parent_id = getattr(instance, field.attname)
        if parent_id is None:
            continue
        if field.is_cached(instance):
            parent_organization = getattr(instance, name).organization_id
        else:
            related: Any = field.related_model
            parent_organization = (
                related._base_manager.filter(pk=parent_id).values_list("organization_id", flat=True).first()
            )
        if parent_organization != organization_id:
            raise ValidationError(
                {name: _("Cet élément appartient à une autre organisation.")}, code="other_organization"
            )


class OrganizationChecked(models.Model):
    """A row owned by an organisation whose `parents` (foreign keys) must belong to the same one."""

    organization_parents: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        check_same_organization(self, *self.organization_parents)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        check_same_organization(self, *self.organization_parents)
