"""Territorial diagnostic (step 3).

Two kinds of data live here:
- national reference data, like `territories.Commune`: statistics per commune (`CommuneStatistic` with no
  organisation), help places (`Place` with no organisation), EPCI published figures (`Epci`), the figures INSEE
  publishes for a whole EPCI or département (`AreaStatistic`) and the COG passage table (`CommunePassage`); each
  row carries its source and vintage, belongs to no tenant and is loaded only by an operator
  (`manage.py import_diagnostic`), each load recorded in `ReferenceLoad`;
- tenant-owned data: an organisation's own figures and places (`CommuneStatistic` / `Place` with its
  `organization`: shown beside the reference in its own diagnostic only, they never change a shared row), the
  group's « synthèse du diagnostic » and the coverage setting of a territory (`TerritoryDiagnostic`), and the
  imports a tenant made (`ImportRun`, also the worker's job row).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization
from territories.models import Commune, Territory


class CommunePassage(models.Model):
    """An old INSEE commune code (e.g. COG 2018) and the code of the commune it belongs to today."""

    old_code = models.CharField(_("ancien code INSEE"), max_length=5, primary_key=True)
    old_name = models.CharField(_("ancien nom"), max_length=120, blank=True)
    new_code = models.CharField(_("code INSEE actuel"), max_length=5, db_index=True)
    # The former commune's population (from the IRIS of the IFN file): weights its rates inside today's commune.
    old_population = models.FloatField(_("population de l'ancienne commune"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("correspondance de code commune")

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code}"


class Epci(models.Model):
    """An EPCI à fiscalité propre with the figures published by the DGCL (BANATIC)."""

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    nature = models.CharField(_("nature"), max_length=10, blank=True)
    member_count = models.PositiveIntegerField(_("nombre de communes membres"), null=True, blank=True)
    published_population = models.PositiveIntegerField(_("population municipale publiée"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    vintage = models.CharField(_("millésime"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AreaStatistic(models.Model):
    """A figure INSEE publishes for a whole EPCI or département (Filosofi's EPCI and DEP bases): national
    reference only, loaded by an operator.

    Communes' figures cannot rebuild it: a median does not add up, and Filosofi's rates are secret in communes of
    fewer than 1 000 ménages fiscaux, so the communes' aggregate covers part of the territory only. When a
    territory is exactly an EPCI (or a département), the diagnostic shows this figure instead.
    """

    class Level(models.TextChoices):
        EPCI = "epci", _("EPCI")
        DEPARTEMENT = "departement", _("département")

    level = models.CharField(_("échelon"), max_length=12, choices=Level.choices)
    code = models.CharField(_("code (SIREN de l'EPCI ou code du département)"), max_length=9)
    indicator = models.CharField(_("indicateur"), max_length=40)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    is_secret = models.BooleanField(_("secret statistique"), default=False)
    source = models.CharField(_("source"), max_length=200)
    vintage = models.CharField(_("millésime"), max_length=60)
    imported_at = models.DateTimeField(_("importé le"), auto_now=True)

    class Meta:
        verbose_name = _("statistique publiée pour un EPCI ou un département")
        verbose_name_plural = _("statistiques publiées pour un EPCI ou un département")
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "indicator"], name="one_area_statistic_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.code} {self.indicator} = {self.value}"


class CommuneStatistic(models.Model):
    """One indicator of one commune, with its source and vintage (see diagnostics.indicators).

    Additive figures are kept as numerator and denominator so that a territory's rate is the sum of the
    numerators over the sum of the denominators; `value` is what is shown for the commune itself.
    A value under statistical secrecy is kept as missing (`is_secret`), never as 0.
    """

    # None: national reference data (operators only); else the organisation's own figure, seen by it alone.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="own_statistics"
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="statistics")
    indicator = models.CharField(_("indicateur"), max_length=40)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    numerator = models.FloatField(_("numérateur"), null=True, blank=True)
    denominator = models.FloatField(_("dénominateur"), null=True, blank=True)
    is_secret = models.BooleanField(_("secret statistique"), default=False)
    source = models.CharField(_("source"), max_length=200)
    vintage = models.CharField(_("millésime"), max_length=60)
    imported_at = models.DateTimeField(_("importé le"), auto_now=True)

    class Meta:
        verbose_name = _("statistique communale")
        verbose_name_plural = _("statistiques communales")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "indicator"],
                condition=models.Q(organization__isnull=True),
                name="one_reference_statistic_per_indicator",
            ),
            models.UniqueConstraint(
                fields=["organization", "commune", "indicator"],
                condition=models.Q(organization__isnull=False),
                name="one_own_statistic_per_indicator",
            ),
        ]
        indexes = [models.Index(fields=["indicator"])]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.indicator} = {self.value}"


class Place(models.Model):
    """A place where people get help with digital services: national open data (no organisation), or a place an
    organisation listed itself (its `organization`), shown in its own diagnostic only."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", _("Lieu de médiation numérique")
        FRANCE_SERVICES = "france_services", _("France services")
        CONSEILLER_NUMERIQUE = "conseiller_numerique", _("Structure employant un conseiller numérique")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="own_places"
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    external_id = models.CharField(_("identifiant dans la source"), max_length=80)
    # The structure's SIRET (« pivot » of the national schema): one structure with several roles is one place.
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    name = models.CharField(_("nom"), max_length=300)
    address = models.CharField(_("adresse"), max_length=400, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="places", verbose_name=_("commune")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    details = models.TextField(_("services, horaires"), blank=True)
    staff = models.PositiveSmallIntegerField(_("conseillers numériques"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    vintage = models.CharField(_("millésime"), max_length=60)

    class Meta:
        verbose_name = _("lieu d'accompagnement")
        verbose_name_plural = _("lieux d'accompagnement")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"],
                condition=models.Q(organization__isnull=True),
                name="one_reference_place_per_source_id",
            ),
            models.UniqueConstraint(
                fields=["organization", "kind", "external_id"],
                condition=models.Q(organization__isnull=False),
                name="one_own_place_per_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceService(models.Model):
    """A service a place offers, from data·inclusion's services (schema v1.0.8), attached to its structure.

    Owned as its place is: the reference's (no organisation) or an organisation's own; replaced file by file."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="own_place_services"
    )
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="services", verbose_name=_("lieu"))
    external_id = models.CharField(_("identifiant dans la source"), max_length=80)
    name = models.CharField(_("nom"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type de service"), max_length=60, blank=True)
    thematiques = models.TextField(_("thématiques"), blank=True)  # the referential's values, « | »-separated
    publics = models.TextField(_("publics"), blank=True)
    fees = models.CharField(_("frais"), max_length=60, blank=True)
    reception = models.CharField(_("modes d'accueil"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=200)
    vintage = models.CharField(_("millésime"), max_length=60)

    class Meta:
        verbose_name = _("service d'un lieu")
        verbose_name_plural = _("services des lieux")
        ordering = ["place", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "external_id"], name="one_service_per_place_id")]

    def __str__(self) -> str:
        return f"{self.name} ({self.place.name})"


class ReferenceLoad(models.Model):
    """One load of a national reference file by an operator (`manage.py import_diagnostic`): what, from where."""

    kind = models.CharField(_("type de fichier"), max_length=40)
    file_name = models.CharField(_("fichier"), max_length=255)
    source = models.CharField(_("source"), max_length=200, blank=True)
    vintage = models.CharField(_("millésime"), max_length=60, blank=True)
    rows = models.PositiveIntegerField(_("lignes retenues"), default=0)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64)
    scope = models.CharField(_("départements"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("chargement de données de référence")
        verbose_name_plural = _("chargements de données de référence")
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} — {self.file_name} ({self.vintage})"


class TerritoryDiagnostic(models.Model):
    """What the group writes beside the figures of its territory, and its coverage setting."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="territory_diagnostics")
    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, related_name="diagnostic", verbose_name=_("territoire")
    )
    synthesis = models.TextField(
        _("synthèse du diagnostic"),
        blank=True,
        help_text=_("Ce que le groupe retient des chiffres : constats, publics, lieux, points de vigilance."),
    )
    distance_km = models.DecimalField(
        _("distance d'accompagnement (km)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("10.0"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("Au-delà de cette distance d'un lieu d'accompagnement, une commune est en « zone blanche »."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("diagnostic du territoire")

    def __str__(self) -> str:
        return str(_("Diagnostic de %(territory)s") % {"territory": self.territory})

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:territory", kwargs={"territory_pk": self.territory_id})


def import_upload_path(instance: ImportRun, filename: str) -> str:
    return f"tenants/{instance.organization_id}/diagnostics/{filename}"


class ImportRun(models.Model):
    """A file a member of a tenant imported for its territory: the job the worker runs and the log of the page.

    The upload is stored, then read by the worker (`diagnostics.tasks.run_import`); the page polls the row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Refusé")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="diagnostic_imports")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="diagnostic_imports")
    kind = models.CharField(_("type de fichier"), max_length=40)
    file_name = models.CharField(_("fichier"), max_length=255)
    file = models.FileField(upload_to=import_upload_path, blank=True, max_length=300)
    vintage = models.CharField(_("millésime"), max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(_("lignes retenues"), default=0)
    succeeded = models.BooleanField(_("réussi"), default=False)
    message = models.TextField(_("compte rendu"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import de données")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} — {self.file_name}"

    STALE_AFTER = timedelta(minutes=10)

    @property
    def is_stale(self) -> bool:
        """Waiting or running with no news for long (worker killed, message lost): shown as failed, retry offered."""
        waiting = self.status in (self.Status.PENDING, self.Status.RUNNING)
        return waiting and timezone.now() - self.updated_at > self.STALE_AFTER

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.is_stale

    @property
    def can_retry(self) -> bool:
        return (self.status == self.Status.FAILED and bool(self.file)) or self.is_stale
