"""The shared spine: Roadmap → Enjeu → Défi → Chantier → Action, on a territory (territories/).

Every tenant-owned model carries its own `organization` key, so that each lookup in a view starts from
`request.tenant` (e.g. `get_object_or_404(request.tenant.enjeux, pk=pk)`) and another organisation's
object is a 404. Later steps attach their fields to these models or point at them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization
from territories.models import Territory


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
    presented_to = models.CharField(_("présentée devant (instance)"), max_length=300, blank=True)
    presented_on = models.DateField(_("présentée le"), null=True, blank=True)
    adopted_by = models.CharField(_("assemblée délibérante"), max_length=300, blank=True)
    adopted_on = models.DateField(_("adoptée le"), null=True, blank=True)
    deliberation_number = models.CharField(_("n° de délibération"), max_length=100, blank=True)
    is_public = models.BooleanField(
        _("page publique"),
        default=False,
        help_text=_("Publie la dernière version adoptée en lecture seule, sans connexion."),
    )
    public_key = models.UUIDField(_("clé de la page publique"), default=uuid.uuid4, unique=True, editable=False)
    introduction = models.TextField(_("introduction"), blank=True)
    resources = models.TextField(
        _("ressources mobilisées"), blank=True, help_text=_("Acteurs, lieux, outils et dispositifs du territoire.")
    )
    evaluation_arrangements = models.TextField(
        _("modalités d'évaluation"), blank=True, help_text=_("Qui évalue, quand, avec quels indicateurs.")
    )
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
    """An element of the spine, ordered within its scope (see `order_scope`) and owned by a tenant.

    Each subclass declares its own `organization` and `roadmap` keys (with its own related names)."""

    roadmap: Roadmap
    roadmap_id: int
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
        """C<défi>.<n>, or C0.<n> for a chantier not yet in a défi (« défi 0 »: a dash read as a minus sign)."""
        return f"C{self.defi.order if self.defi else 0}.{self.order}"


class ActionQuerySet(models.QuerySet["Action"]):
    def without_pilot(self) -> models.QuerySet[Action]:
        return self.filter(referents="", lead_structure="")

    def without_budget(self) -> models.QuerySet[Action]:
        return self.filter(expenses__isnull=True)


class Action(OrderedInRoadmap):
    """The operational unit; the full fiche action fields attach here."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="actions")
    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="actions", verbose_name=_("chantier"))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("descriptif : « ce projet consiste à… »"), blank=True)
    # The fiche action (guide's template, seed 003 annex 2); all optional while it is being drafted.
    completed_by = models.CharField(
        _("document complété par"), max_length=300, blank=True, help_text=_("Prénom, nom, structure, fonction.")
    )
    referents = models.TextField(_("personne(s) référente(s) et coordonnées"), blank=True)
    places = models.TextField(_("territoire d'action (lieux de réalisation)"), blank=True)
    objective = models.TextField(_("objectif global"), blank=True)
    lead_structure = models.CharField(_("structure porteuse"), max_length=300, blank=True)
    key_activities = models.TextField(_("activités clés"), blank=True, help_text=_("Une activité par ligne."))
    target_publics = models.TextField(
        _("publics cibles"), blank=True, help_text=_("Tranches d'âge, genre, ce qui en fait un public cible.")
    )
    human_means = models.TextField(
        _("moyens humains"), blank=True, help_text=_("Quelles personnes, quelles compétences.")
    )
    human_fte = models.DecimalField(
        _("moyens humains (ETP)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message=_("Un nombre d'ETP ne peut pas être négatif."))],
        help_text=_("En équivalents temps plein, par exemple 0,5."),
    )
    material_means = models.TextField(_("moyens matériels"), blank=True)
    vigilance = models.TextField(_("points de vigilance / freins à lever"), blank=True)
    justification = models.TextField(
        _("justification (éléments de diagnostic)"), blank=True, help_text=_("Qu'est-ce qui justifie l'action ?")
    )
    expected_results = models.TextField(
        _("résultats attendus"), blank=True, help_text=_("« On aura réussi si… » : livrables, objectifs mesurables.")
    )
    indicators = models.TextField(
        _("indicateurs d'évaluation"), blank=True, help_text=_("Activité, performance, résultats : un par ligne.")
    )
    contract_links = models.TextField(
        _("liens avec d'autres projets et contrats"),
        blank=True,
        help_text=_("CRTE, SDIN, contrat de ville, convention territoriale globale…"),
    )
    governance = models.TextField(
        _("gouvernance de l'action"), blank=True, help_text=_("Instances de pilotage et membres de chacune.")
    )
    other_resources = models.TextField(
        _("autres ressources mobilisées ou à mobiliser"),
        blank=True,
        help_text=_("Techniques, humaines, outils, sur le territoire ou à l'extérieur."),
    )

    objects = ActionQuerySet.as_manager()

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

    def get_fiche_url(self) -> str:
        return reverse("fiches:fiche", kwargs={"action_pk": self.pk})


class BinEntry(models.Model):
    """A deleted enjeu, défi, chantier or action, with everything its deletion took, restorable for BIN_DAYS.

    The rows are kept as Django's serialisation (roadmap.bin), the spine's tables stay free of « deleted » flags."""

    BIN_DAYS = 30

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bin_entries")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="bin_entries")
    kind = models.CharField(max_length=20)  # enjeu, defi, chantier, action
    label = models.CharField(max_length=400)
    summary = models.TextField(blank=True)  # what went with it, as the confirmation said
    rows = models.JSONField()  # the serialised rows, parents first
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("élément supprimé")
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return self.label
