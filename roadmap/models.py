"""The shared spine: Territory (communes) → Roadmap → Enjeu → Défi → Chantier → Action.

Every tenant-owned model carries its own `organization` key, so that each lookup in a view starts from
`request.tenant` (e.g. `get_object_or_404(request.tenant.enjeux, pk=pk)`) and another organisation's
object is a 404. Later steps attach their fields to these models or point at them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max, Sum
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
        return reverse("roadmap:territory_detail", kwargs={"territory_pk": self.pk})

    def population(self) -> int | None:
        return self.communes.aggregate(total=Sum("population"))["total"]

    def has_geometry(self) -> bool:
        return self.communes.filter(geometry__isnull=False).exists()


class Roadmap(models.Model):
    """The démarche: one territory's roadmap over a period of years."""

    class Status(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        PRESENTEE = "presentee", _("Présentée")
        ADOPTEE = "adoptee", _("Adoptée")
        EN_MISE_EN_OEUVRE = "en_mise_en_oeuvre", _("En mise en œuvre")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roadmaps")
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="roadmaps", verbose_name=_("territoire")
    )
    title = models.CharField(_("titre"), max_length=200)
    period_start = models.PositiveSmallIntegerField(
        _("première année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period_end = models.PositiveSmallIntegerField(
        _("dernière année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.BROUILLON)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feuille de route")
        verbose_name_plural = _("feuilles de route")
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="roadmap_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmap:detail", kwargs={"roadmap_pk": self.pk})

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("La dernière année doit suivre ou égaler la première.")})
        if self.territory_id and self.organization_id and self.territory.organization_id != self.organization_id:
            raise ValidationError({"territory": _("Ce territoire n'appartient pas à votre organisation.")})

    @property
    def years(self) -> range:
        return range(self.period_start, self.period_end + 1)


class OrderedInRoadmap(models.Model):
    """An element of the spine, ordered within its scope (see `order_scope`) and owned by a tenant."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields that, with the roadmap, delimit the list this element is ordered in.
    scope_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.order:
            self.order = (self.order_scope().aggregate(m=Max("order"))["m"] or 0) + 1
        if self.roadmap_id and not getattr(self, "organization_id", None):
            self.organization_id = self.roadmap.organization_id
        super().save(*args, **kwargs)

    def order_scope(self) -> models.QuerySet[Any]:
        filters = {"roadmap_id": self.roadmap_id} | {f: getattr(self, f) for f in self.scope_fields}
        return type(self)._default_manager.filter(**filters)

    @transaction.atomic
    def move(self, direction: int) -> bool:
        """Swap with the previous (-1) or next (+1) element of the same list; False at either end."""
        siblings = list(self.order_scope().select_for_update().order_by("order", "pk"))
        index = next(i for i, s in enumerate(siblings) if s.pk == self.pk)
        target = index + direction
        if not 0 <= target < len(siblings):
            return False
        siblings[index], siblings[target] = siblings[target], siblings[index]
        # Renumber the whole list: it also repairs duplicate orders left by concurrent creations.
        for position, sibling in enumerate(siblings, start=1):
            if sibling.order != position:
                type(self)._default_manager.filter(pk=sibling.pk).update(order=position)
        return True


class Enjeu(OrderedInRoadmap):
    """A stake of the territory, always phrased as a question (« Comment … ? »)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="enjeux")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="enjeux")
    question = models.CharField(_("question"), max_length=400)
    description = models.TextField(_("contexte"), blank=True)

    class Meta:
        verbose_name = _("enjeu")
        verbose_name_plural = _("enjeux")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.question

    @property
    def label(self) -> str:
        return self.question

    @property
    def ref(self) -> str:
        return f"E{self.order}"


class Defi(OrderedInRoadmap):
    """An axe stratégique: an objective that groups chantiers and answers one or more enjeux."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="defis")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="defis")
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    enjeux = models.ManyToManyField(
        Enjeu, related_name="defis", blank=True, verbose_name=_("enjeux auxquels il répond")
    )

    class Meta:
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        return f"D{self.order}"


class Chantier(OrderedInRoadmap):
    """Combines several actions; may answer several enjeux (transversal)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="chantiers")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="chantiers")
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    defi = models.ForeignKey(
        Defi,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chantiers",
        verbose_name=_("défi"),
    )
    enjeux = models.ManyToManyField(Enjeu, related_name="chantiers", blank=True, verbose_name=_("enjeux"))

    scope_fields = ("defi_id",)

    class Meta:
        verbose_name = _("chantier")
        verbose_name_plural = _("chantiers")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        """C<défi>.<n>, or C–.<n> for a chantier not yet in a défi."""
        return f"C{self.defi.order if self.defi else '–'}.{self.order}"


class Action(OrderedInRoadmap):
    """The operational unit; the full fiche action fields attach here."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="actions")
    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="actions", verbose_name=_("chantier"))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    scope_fields = ("chantier_id",)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        return f"A{self.chantier.ref[1:]}.{self.order}"
