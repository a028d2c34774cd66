"""Step 7 (évaluer): the framing of the evaluation, its theory of change and evaluative question, the impact
framework (effects → indicators → values), interviews and verbatims, and the follow-up of the fiches actions.

Every row carries its organisation, so every lookup in a view starts from `request.tenant`. The fiche action's
plan stays in fiches/ (ActionExpense, ActionFunding); what was really spent and received lives here, next to it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.models import ActionExpense, ActionFunding, money_validators
from roadmap.models import Action, Defi, Roadmap
from tenancy.models import Organization

# The six boxes of the theory of change (fiche outil n°6), in reading order: field, title, guiding question.
THEORY_BOXES: tuple[tuple[str, Any, Any], ...] = (
    ("need", _("Besoin social"), _("À quels problèmes de société la démarche répond-elle ?")),
    ("vision", _("Vision"), _("Avec quelles valeurs, quel regard y répond-on ?")),
    ("activities", _("Activités"), _("Que met-on en place pour y répondre ?")),
    ("outputs", _("Réalisations"), _("Concrètement, quelles opérations, quels temps de travail ?")),
    ("results", _("Résultats"), _("À quoi les activités aboutissent-elles (chiffres, livrables) ?")),
    ("impact", _("Impact"), _("Quels changements durables vise-t-on sur le territoire ?")),
)


class OwnedByParent:
    """A row's organisation is its parent's (`parent_field`): taken from it when missing, and a row that names
    another organisation than its parent's is never written — a cross-organisation row would leak through every
    lookup that starts from `request.tenant`."""

    parent_field = "roadmap"
    organization_id: int | None

    def check_owner(self) -> None:
        parent = getattr(self, self.parent_field)
        if not self.organization_id:
            self.organization_id = parent.organization_id
        elif self.organization_id != parent.organization_id:
            raise ValueError(
                f"{type(self).__name__}: organisation {self.organization_id} differs from its "
                f"{self.parent_field}'s ({parent.organization_id})"
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_owner()
        super().save(*args, **kwargs)  # type: ignore[misc]


class Evaluation(OwnedByParent, models.Model):
    """The evaluation of one roadmap: its framing, theory of change, evaluative question and synthesis."""

    class Method(models.TextChoices):
        PROSPECTIVE = "prospective", _("Prospective (cadrée avant ou au début de la démarche)")
        RETROSPECTIVE = "retrospective", _("Rétrospective (pendant ou après la démarche)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="evaluations")
    roadmap = models.OneToOneField(Roadmap, on_delete=models.CASCADE, related_name="evaluation")
    # Framing (cadrage).
    objectives = models.TextField(
        _("objectifs"), blank=True, help_text=_("Pourquoi mesurer : améliorer les pratiques, rendre compte…")
    )
    context = models.TextField(_("contexte"), blank=True, help_text=_("Dans quel cadre la mesure est menée."))
    team = models.TextField(
        _("équipe d'évaluation"), blank=True, help_text=_("Qui la mène : équipe interne, prestataire…")
    )
    method = models.CharField(_("méthode"), max_length=20, choices=Method.choices, blank=True)
    activities_evaluated = models.TextField(_("activités évaluées"), blank=True)
    calendar = models.TextField(_("calendrier"), blank=True, help_text=_("Les échéances de la mesure."))
    targets = models.TextField(
        _("cibles"), blank=True, help_text=_("Pour qui : élus, équipes techniques, État, financeurs…")
    )
    resources = models.TextField(_("ressources"), blank=True, help_text=_("Moyens humains, matériels, financiers."))
    periodicity = models.CharField(
        _("périodicité"), max_length=200, blank=True, help_text=_("Par exemple : tous les six mois.")
    )
    # Theory of change: six boxes, and what of the roadmap it covers.
    need = models.TextField(_("besoin social"), blank=True)
    vision = models.TextField(_("vision"), blank=True)
    activities = models.TextField(_("activités"), blank=True)
    outputs = models.TextField(_("réalisations"), blank=True)
    results = models.TextField(_("résultats"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    covered_defis = models.ManyToManyField(Defi, blank=True, related_name="+", verbose_name=_("défis couverts"))
    covered_actions = models.ManyToManyField(
        Action, blank=True, related_name="+", verbose_name=_("fiches actions couvertes")
    )
    # The evaluative question: « Dans quelle mesure [objet] [verbe] [effet] [public] ? »
    question_object = models.CharField(_("objet évalué"), max_length=300, blank=True)
    question_verb = models.CharField(_("verbe d'action"), max_length=100, blank=True)
    question_effect = models.CharField(_("effet recherché"), max_length=300, blank=True)
    question_public = models.CharField(_("public visé"), max_length=300, blank=True)
    synthesis = models.TextField(_("synthèse"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("évaluation")

    def __str__(self) -> str:
        return str(_("Évaluation de « %(title)s »") % {"title": self.roadmap.title})

    @property
    def question(self) -> str:
        """The assembled evaluative question, or "" while one of its four parts is missing."""
        parts = [self.question_object, self.question_verb, self.question_effect, self.question_public]
        if not all(p.strip() for p in parts):
            return ""
        return assemble_question(*parts)

    @property
    def boxes(self) -> list[dict[str, Any]]:
        return [
            {"field": name, "title": title, "hint": hint, "text": getattr(self, name)}
            for name, title, hint in THEORY_BOXES
        ]

    @property
    def framing_filled(self) -> bool:
        return bool(self.objectives.strip() and self.targets.strip() and self.method)

    @property
    def theory_filled(self) -> bool:
        return all(getattr(self, name).strip() for name, _t, _h in THEORY_BOXES)


def assemble_question(obj: str, verb: str, effect: str, public: str) -> str:
    """« Dans quelle mesure … ? » with the French non-breaking space before the question mark."""
    text = " ".join(p.strip() for p in (obj, verb, effect, public) if p.strip())
    return f"Dans quelle mesure {text}\u00a0?"


class OrderedOwned(OwnedByParent, models.Model):
    order = models.PositiveIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Effect(OrderedOwned):
    """An expected effect of the roadmap and the impact hypothesis behind it; its indicators measure it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="evaluation_effects")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="evaluation_effects")
    title = models.CharField(
        _("effet attendu"), max_length=300, help_text=_("Par exemple : une dynamique d'acteurs sur le territoire.")
    )
    hypothesis = models.TextField(
        _("hypothèse d'impact"),
        blank=True,
        help_text=_("Ce que l'on suppose : « si nous faisons…, alors… »."),
    )

    class Meta:
        verbose_name = _("effet attendu")
        verbose_name_plural = _("effets attendus")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.order:
            last = Effect.objects.filter(roadmap_id=self.roadmap_id).aggregate(m=models.Max("order"))["m"]
            self.order = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def ref(self) -> str:
        return f"E{self.order}"


class Indicator(OrderedOwned):
    """One line of the impact framework: what is measured, from whom, how, when, and what is aimed at."""

    class Kind(models.TextChoices):
        QUANTITATIF = "quantitatif", _("Quantitatif (un nombre)")
        QUALITATIF = "qualitatif", _("Qualitatif (une appréciation)")

    class Collection(models.TextChoices):
        INTERNES = "internes", _("Données internes")
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        ENTRETIENS = "entretiens", _("Entretiens qualitatifs")
        OBSERVATION = "observation", _("Observation")
        AUTRE = "autre", _("Autre")

    class Timing(models.TextChoices):
        A_CHAUD = "a_chaud", _("À chaud (pendant la démarche)")
        A_FROID = "a_froid", _("À froid (quelques mois après)")

    class Internal(models.TextChoices):
        """Figures the application computes itself (evaluation.internal): never typed by hand."""

        MEETINGS = "meetings", _("Réunions tenues")
        PARTICIPANTS = "participants", _("Participants aux réunions")
        STRUCTURES = "structures", _("Structures présentes")
        ACTIONS_EN_COURS = "actions_en_cours", _("Actions en cours")
        ACTIONS_REALISEES = "actions_realisees", _("Actions réalisées")
        RESPONSES = "reponses", _("Réponses aux questionnaires")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="evaluation_indicators")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="evaluation_indicators")
    effect = models.ForeignKey(Effect, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("effet"))
    label = models.CharField(_("indicateur"), max_length=400)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIF)
    unit = models.CharField(_("unité"), max_length=50, blank=True, help_text=_("Par exemple : réunions, %, personnes."))
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Auprès de qui : agents, participants, partenaires…")
    )
    collection = models.CharField(
        _("méthode de collecte"), max_length=20, choices=Collection.choices, default=Collection.INTERNES
    )
    timing = models.CharField(_("temporalité"), max_length=10, choices=Timing.choices, default=Timing.A_CHAUD)
    internal = models.CharField(
        _("calculé par l'application"),
        max_length=30,
        choices=Internal.choices,
        blank=True,
        help_text=_("Laissez vide pour un indicateur saisi ; sinon sa valeur du jour est calculée."),
    )
    target_value = models.DecimalField(_("cible (nombre)"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_text = models.CharField(_("cible (appréciation)"), max_length=300, blank=True)
    target_date = models.DateField(_("date de la cible"), null=True, blank=True)
    # The four questions of a good indicator (guide, step 7).
    pertinent = models.BooleanField(_("pertinent"), default=False, help_text=_("Il éclaire l'effet recherché."))
    partage = models.BooleanField(
        _("partagé"), default=False, help_text=_("Les cibles de la mesure le jugent légitime.")
    )
    precis = models.BooleanField(_("précis"), default=False, help_text=_("Nombre, évolution, par rapport à quoi."))
    possible = models.BooleanField(_("possible"), default=False, help_text=_("On sait comment obtenir la donnée."))

    CRITERIA = ("pertinent", "partage", "precis", "possible")

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["effect__order", "order", "pk"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.effect.roadmap_id != self.roadmap_id:
            raise ValueError("Indicator: its effect belongs to another roadmap")
        if self.pk and self.order:
            stored = Indicator.objects.filter(pk=self.pk).values_list("effect_id", flat=True).first()
            if stored is not None and stored != self.effect_id:
                # Moved to another effect: a fresh number there, or two indicators would share a reference (I1.1)
                # and the CSV import, which finds indicators by reference, would file values under the wrong one.
                self.order = 0
        if not self.order:
            last = Indicator.objects.filter(effect_id=self.effect_id).aggregate(m=models.Max("order"))["m"]
            self.order = (last or 0) + 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == self.Kind.QUALITATIF and self.target_value is not None:
            raise ValidationError(
                {"target_value": _("Un indicateur qualitatif n'a pas de cible chiffrée : décrivez-la en mots.")}
            )

    @classmethod
    def criteria_labels(cls) -> list[tuple[str, str]]:
        return [(c, str(cls._meta.get_field(c).verbose_name)) for c in cls.CRITERIA]  # type: ignore[union-attr]

    @property
    def is_quantitative(self) -> bool:
        return self.kind == self.Kind.QUANTITATIF

    @property
    def missing_criteria(self) -> list[str]:
        return [c_label for c, c_label in self.criteria_labels() if not getattr(self, c)]

    @property
    def meets_criteria(self) -> bool:
        return not self.missing_criteria

    @property
    def ref(self) -> str:
        return f"I{self.effect.order}.{self.order}"

    @property
    def target_label(self) -> str:
        if self.is_quantitative and self.target_value is not None:
            return f"{format_number(self.target_value)} {self.unit}".strip()
        return self.target_text


def format_number(value: Decimal | int | None) -> str:
    """A number the French way: « 1 234,5 », no useless decimals."""
    if value is None:
        return "—"
    normalized = Decimal(value).quantize(Decimal("0.01")).normalize()
    whole, _sep, decimals = f"{normalized:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    text = sign + "\u202f".join(groups or ["0"])
    return f"{text},{decimals}" if decimals else text


def value_date_bounds(roadmap: Roadmap) -> tuple[datetime.date, datetime.date]:
    """Values may be measured from the year before the roadmap (the starting point) to the year after its end (the
    « à froid » measure), and never in the future."""
    first = datetime.date(roadmap.period_start - 1, 1, 1)
    last = min(datetime.date(roadmap.period_end + 1, 12, 31), timezone.localdate())
    return first, last


class IndicatorValue(OwnedByParent, models.Model):
    """A value collected for an indicator at a date: a number (quantitative) or a few words (qualitative)."""

    parent_field = "indicator"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date de la mesure"))
    number = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("appréciation"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("valeur")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.date:%d/%m/%Y} : {self.display}"

    @property
    def display(self) -> str:
        if self.number is not None:
            return f"{format_number(self.number)} {self.indicator.unit}".strip()
        return self.text

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        indicator = self.indicator
        if indicator.is_quantitative:
            if self.number is None:
                errors["number"] = _("Cet indicateur est quantitatif : saisissez un nombre, par exemple 12 ou 4,5.")
            if self.text.strip():
                errors["text"] = _("Cet indicateur est quantitatif : l'appréciation va dans le commentaire.")
        else:
            if self.number is not None:
                errors["number"] = _("Cet indicateur est qualitatif : décrivez la valeur en mots, pas en nombre.")
            if not self.text.strip():
                errors["text"] = _("Cet indicateur est qualitatif : décrivez ce qui a été constaté.")
        if self.date:
            first, last = value_date_bounds(indicator.roadmap)
            if not first <= self.date <= last:
                errors["date"] = _("La date doit être comprise entre le %(first)s et le %(last)s.") % {
                    "first": first.strftime("%d/%m/%Y"),
                    "last": last.strftime("%d/%m/%Y"),
                }
        if errors:
            raise ValidationError(errors)


class InterviewGuide(OwnedByParent, models.Model):
    """A trame d'entretien: the questions asked to one kind of interviewee."""

    parent_field = "roadmap"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="interview_guides")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="interview_guides")
    title = models.CharField(_("titre"), max_length=200)
    audience = models.CharField(_("personnes interrogées"), max_length=300, blank=True)
    questions = models.TextField(_("questions"), help_text=_("Une question par ligne."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trame d'entretien")
        verbose_name_plural = _("trames d'entretien")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def question_lines(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class Interview(OwnedByParent, models.Model):
    """An interview held and transcribed; its verbatims are quoted in the analysis."""

    parent_field = "roadmap"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="interviews")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="interviews")
    guide = models.ForeignKey(
        InterviewGuide,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("trame"),
    )
    interviewee = models.CharField(
        _("personne interrogée"),
        max_length=300,
        help_text=_("Sa fonction et sa structure suffisent, par exemple : élue, commune de Brantôme."),
    )
    held_on = models.DateField(_("date de l'entretien"))
    transcript = models.TextField(_("retranscription"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entretien")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.interviewee} ({self.held_on:%d/%m/%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.guide_id is not None and self.guide is not None and self.guide.roadmap_id != self.roadmap_id:
            raise ValueError("Interview: its guide belongs to another roadmap")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("Un entretien retranscrit a déjà eu lieu : la date est à venir.")})


class Verbatim(OwnedByParent, models.Model):
    """A quotation from an interview, tagged to the effect it speaks of."""

    parent_field = "interview"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="verbatims")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="verbatims")
    effect = models.ForeignKey(
        Effect, on_delete=models.SET_NULL, null=True, blank=True, related_name="verbatims", verbose_name=_("effet")
    )
    quote = models.TextField(_("citation"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verbatim")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.quote[:80]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.effect is not None and self.effect.roadmap_id != self.interview.roadmap_id:
            raise ValueError("Verbatim: its effect belongs to another roadmap than its interview")
        super().save(*args, **kwargs)


class FollowUp(OwnedByParent, models.Model):
    """How a fiche action lives once adopted: its status with dates, its progress and a note."""

    class Status(models.TextChoices):
        A_VENIR = "a_venir", _("À venir")
        EN_COURS = "en_cours", _("En cours")
        REALISEE = "realisee", _("Réalisée")
        REPORTEE = "reportee", _("Reportée")
        ABANDONNEE = "abandonnee", _("Abandonnée")

    parent_field = "action"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.A_VENIR)
    started_on = models.DateField(_("commencée le"), null=True, blank=True)
    finished_on = models.DateField(_("terminée ou arrêtée le"), null=True, blank=True)
    postponed_to = models.DateField(_("reportée au"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField(_("point d'avancement"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("suivi d'une action")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100), name="followup_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} — {self.get_status_display()}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        today = timezone.localdate()
        if self.started_on and self.started_on > today:
            errors["started_on"] = _("Une action ne peut pas avoir commencé dans le futur.")
        if self.finished_on and self.finished_on > today:
            errors["finished_on"] = _("Une action ne peut pas être terminée dans le futur.")
        if self.started_on and self.finished_on and self.finished_on < self.started_on:
            errors["finished_on"] = _("La fin précède le début.")
        if self.status in (self.Status.EN_COURS, self.Status.REALISEE) and not self.started_on:
            errors["started_on"] = _("Indiquez quand l'action a commencé.")
        if self.status in (self.Status.REALISEE, self.Status.ABANDONNEE) and not self.finished_on:
            errors["finished_on"] = _("Indiquez quand l'action s'est terminée ou a été arrêtée.")
        if self.status == self.Status.REPORTEE and not self.postponed_to:
            errors["postponed_to"] = _("Indiquez à quand l'action est reportée.")
        if self.status == self.Status.REALISEE and self.progress != 100:
            errors["progress"] = _("Une action réalisée est avancée à 100 %.")
        if errors:
            raise ValidationError(errors)


class RealisedExpense(OwnedByParent, models.Model):
    """What a fiche action really cost in a year (TTC), next to the planned ActionExpense."""

    parent_field = "action"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="realised_expenses")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="realised_expenses")
    year = models.PositiveSmallIntegerField(_("année"))
    kind = models.CharField(_("nature"), max_length=20, choices=ActionExpense.Kind.choices)
    amount = models.DecimalField(_("montant TTC (€)"), max_digits=12, decimal_places=2, validators=money_validators)

    class Meta:
        verbose_name = _("dépense réalisée")
        ordering = ["year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year", "kind"], name="realised_expense_one_per_year_kind"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="realised_expense_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} : {self.amount} €"


class RealisedFunding(OwnedByParent, models.Model):
    """What a funder really paid for a fiche action in a year, next to the planned ActionFunding."""

    parent_field = "action"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="realised_fundings")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="realised_fundings")
    year = models.PositiveSmallIntegerField(_("année"))
    funder = models.CharField(_("financeur"), max_length=20, choices=ActionFunding.Funder.choices)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=money_validators)

    class Meta:
        verbose_name = _("financement reçu")
        ordering = ["year", "funder"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year", "funder"], name="realised_funding_one_per_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="realised_funding_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.year} : {self.amount} €"
