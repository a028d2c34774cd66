"""The shared spine: Territory (communes) → Roadmap → Enjeu → Défi → Chantier → Action.

Every tenant-owned model carries its own `organization` key, so that each lookup in a view starts from
`request.tenant` (e.g. `get_object_or_404(request.tenant.enjeux, pk=pk)`) and another organisation's
object is a 404. Later steps attach their fields to these models or point at them.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
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
        return reverse("roadmap:fiche", kwargs={"action_pk": self.pk})


# --- Fiche action: the full template, budget, financing, engagements, calendar, history -----------


class Pilotage(models.TextChoices):
    """Kinds of governance body, for the roadmap and for a fiche action."""

    COPIL = "copil", _("Comité de pilotage")
    COTECH = "cotech", _("Comité technique")
    GROUPE_PROJET = "groupe_projet", _("Groupe projet")
    AUTRE = "autre", _("Autre instance")


FICHE_FIELDS = (
    "completed_by",
    "referents",
    "places",
    "objective",
    "lead_structure",
    "description",
    "key_activities",
    "target_publics",
    "human_means",
    "human_fte",
    "material_means",
    "vigilance",
    "justification",
    "expected_results",
    "indicators",
    "contract_links",
    "governance",
    "other_resources",
)


def _year_in_period(owner: Any, year: int | None) -> None:
    roadmap = owner.action.roadmap
    if year is not None and year not in roadmap.years:
        raise ValidationError(
            {
                "year": _("L'année %(year)s est hors de la période de la feuille de route (%(start)s–%(end)s).")
                % {"year": year, "start": roadmap.period_start, "end": roadmap.period_end}
            }
        )


money_validators = [MinValueValidator(Decimal("0"), message=_("Un montant ne peut pas être négatif."))]


class ActionExpense(models.Model):
    """An expense of a fiche action for one year, toutes taxes comprises."""

    class Kind(models.TextChoices):
        FONCTIONNEMENT = "fonctionnement", _("Fonctionnement")
        INVESTISSEMENT = "investissement", _("Investissement")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="action_expenses")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="expenses")
    year = models.PositiveSmallIntegerField(_("année"))
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("montant TTC (€)"), max_digits=12, decimal_places=2, validators=money_validators)

    class Meta:
        verbose_name = _("dépense")
        ordering = ["year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year", "kind"], name="expense_one_per_year_kind"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="expense_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} : {self.amount} €"

    def clean(self) -> None:
        _year_in_period(self, self.year)


class ActionFunding(models.Model):
    """A financing line of a fiche action: one type of funder, one year."""

    class Funder(models.TextChoices):
        COLLECTIVITE = "collectivite", _("Collectivité")
        ETAT = "etat", _("État")
        REGION = "region", _("Région")
        DEPARTEMENT = "departement", _("Département")
        EUROPE = "europe", _("Europe (fonds)")
        AUTRE_PUBLIC = "autre_public", _("Autre financement public")
        PRIVE = "prive", _("Financement privé")
        AUTOFINANCEMENT = "autofinancement", _("Autofinancement")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="action_fundings")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="fundings")
    year = models.PositiveSmallIntegerField(_("année"))
    funder = models.CharField(_("financeur"), max_length=20, choices=Funder.choices)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=money_validators)

    class Meta:
        verbose_name = _("financement")
        ordering = ["year", "funder"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year", "funder"], name="funding_one_per_year_funder"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="funding_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.year} : {self.amount} €"

    def clean(self) -> None:
        _year_in_period(self, self.year)


class ActionPartner(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="action_partners")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("partenaire"), max_length=300)
    nature = models.CharField(_("pour quoi faire (nature du partenariat)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("partenaire")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ActionStep(models.Model):
    """One line of a fiche action's calendar: a stage over a span of quarters."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="action_steps")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="steps")
    label = models.CharField(_("étape"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("année de début"))
    start_quarter = models.PositiveSmallIntegerField(
        _("trimestre de début"), default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    end_year = models.PositiveSmallIntegerField(_("année de fin"))
    end_quarter = models.PositiveSmallIntegerField(
        _("trimestre de fin"), default=4, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        verbose_name = _("étape du calendrier")
        ordering = ["start_year", "start_quarter", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def start_index(self) -> int:
        return self.start_year * 4 + self.start_quarter - 1

    @property
    def end_index(self) -> int:
        return self.end_year * 4 + self.end_quarter - 1

    @property
    def span_label(self) -> str:
        return f"T{self.start_quarter} {self.start_year} – T{self.end_quarter} {self.end_year}"

    def clean(self) -> None:
        roadmap = self.action.roadmap
        for field_name in ("start_year", "end_year"):
            year = getattr(self, field_name)
            if year is not None and year not in roadmap.years:
                raise ValidationError(
                    {
                        field_name: _("L'année %(year)s est hors de la période (%(start)s–%(end)s).")
                        % {"year": year, "start": roadmap.period_start, "end": roadmap.period_end}
                    }
                )
        if self.start_year and self.end_year and self.end_index < self.start_index:
            raise ValidationError(_("La fin de l'étape précède son début."))


class Engagement(models.Model):
    """A stakeholder's engagement on an action (fiche outil n°5)."""

    class Level(models.TextChoices):
        PORTE_DEJA = "porte_deja", _("Je porte déjà l'action")
        PORTERA = "portera", _("Je m'engage à porter l'action")
        APPUI = "appui", _("En appui")
        EXPERTISE = "expertise", _("Consulté pour son expertise")
        INFORME = "informe", _("Tenu informé")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="engagements")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="engagements")
    stakeholder = models.CharField(_("acteur"), max_length=300)
    level = models.CharField(_("engagement"), max_length=20, choices=Level.choices)
    conditions = models.TextField(
        _("conditions, besoins ou sujets d'expertise"),
        blank=True,
        help_text=_("De quoi a-t-il besoin pour aller plus loin ? À quelles conditions portera-t-il l'action ?"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("engagement")
        ordering = ["level", "stakeholder"]

    def __str__(self) -> str:
        return f"{self.stakeholder} — {self.get_level_display()}"


class ActionChange(models.Model):
    """One field of a fiche action changed by someone at some time: the living document's history."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="action_changes")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    field = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        verbose_name = _("modification")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.changed_at:%Y-%m-%d %H:%M})"


class GovernanceBody(models.Model):
    """A body steering the roadmap: comité de pilotage, comité technique…"""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="governance_bodies")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="governance_bodies")
    kind = models.CharField(_("type d'instance"), max_length=20, choices=Pilotage.choices, default=Pilotage.COPIL)
    name = models.CharField(_("nom"), max_length=200)
    members = models.TextField(_("membres (nom, fonction)"), blank=True, help_text=_("Un membre par ligne."))
    frequency = models.CharField(
        _("fréquence"), max_length=200, blank=True, help_text=_("Par exemple : deux fois par an.")
    )
    role = models.TextField(_("rôle"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instance de gouvernance")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name

    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


def tenant_upload_path(instance: Any, filename: str) -> str:
    return f"tenants/{instance.organization_id}/roadmap/{filename}"


class RoadmapVersion(models.Model):
    """A frozen copy of the roadmap at its adoption, readable while work goes on."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roadmap_versions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    adopted_by = models.CharField(_("assemblée délibérante"), max_length=300)
    adopted_on = models.DateField(_("adoptée le"))
    deliberation_number = models.CharField(_("n° de délibération"), max_length=100)
    snapshot = models.JSONField()
    pdf = models.FileField(upload_to=tenant_upload_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version adoptée")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.roadmap.title} — v{self.number}"


class ExportJob(models.Model):
    """A document being produced by a worker; the page polls its row for progress."""

    class Kind(models.TextChoices):
        ROADMAP_PDF = "roadmap_pdf", _("Feuille de route (PDF)")
        FICHES_PDF = "fiches_pdf", _("Toutes les fiches actions (PDF)")
        FICHE_PDF = "fiche_pdf", _("Fiche action (PDF)")
        FICHE_DOCX = "fiche_docx", _("Fiche action (Word)")
        BUDGET_XLSX = "budget_xlsx", _("Budget et plan de financement (Excel)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="export_jobs")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="export_jobs")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="export_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=tenant_upload_path, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    STALE_AFTER = timedelta(minutes=10)

    @property
    def is_stale(self) -> bool:
        """Pending or running with no news for a long time (message lost, worker gone): offered a retry."""
        waiting = self.status in (self.Status.PENDING, self.Status.RUNNING)
        return waiting and timezone.now() - self.updated_at > self.STALE_AFTER

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.is_stale

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale

    @property
    def extension(self) -> str:
        return {"fiche_docx": "docx", "budget_xlsx": "xlsx"}.get(self.kind, "pdf")
