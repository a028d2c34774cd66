"""Communes (national reference data, shared and read-only to organisations) and the territories built from them."""

from __future__ import annotations

from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization


class Commune(models.Model):
    """Shared reference data (INSEE COG), not owned by any tenant."""

    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=120)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    epci_siren = models.CharField(_("SIREN de l'EPCI"), max_length=9, blank=True)
    epci_name = models.CharField(_("EPCI"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    population_vintage = models.CharField(_("millésime de la population"), max_length=40, blank=True)
    geometry = models.JSONField(_("géométrie (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        ordering = ["name"]
        indexes = [models.Index(fields=["epci_siren"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Territory(models.Model):
    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunalité (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        COMMUNE = "commune", _("Commune")
        AUTRE = "autre", _("Autre périmètre")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="territories")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.EPCI)
    communes = models.ManyToManyField(Commune, related_name="territories", blank=True, verbose_name=_("communes"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("territoire")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:territory_detail", kwargs={"territory_pk": self.pk})

    def population(self) -> int | None:
        return self.communes.aggregate(total=Sum("population"))["total"]

    def has_geometry(self) -> bool:
        return self.communes.filter(geometry__isnull=False).exists()
