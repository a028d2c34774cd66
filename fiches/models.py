"""The fiche action's rich content: budget and financing per year, partners, calendar, engagements, history,
and the roadmap's governance bodies. The fiche's text fields live on the spine's Action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from roadmap.models import Action, Roadmap
from tenancy.models import Organization


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


# What each category of funder covers, shown beside the financing grid: the guide's list, made unambiguous.
FUNDER_HELP = {
    "collectivite": _(
        "Une autre collectivité que la structure porteuse (commune, EPCI, syndicat…) qui verse une participation."
    ),
    "etat": _("Crédits de l'État : préfecture, ANCT (France services, Conseillers numériques), DSIL, DETR…"),
    "region": _("Subventions ou appels à projets du conseil régional."),
    "departement": _("Subventions ou appels à projets du conseil départemental."),
    "europe": _("Fonds européens (FEDER, FSE+, LEADER…) : nommez le fonds."),
    "autre_public": _("Tout autre financeur public : CAF, Banque des Territoires, caisses de retraite… Nommez-le."),
    "prive": _("Entreprises, fondations, mécénat : nommez le financeur."),
    "autofinancement": _(
        "Ce que la structure porteuse de l'action paie sur son propre budget (y compris la valorisation de son "
        "personnel)."
    ),
}


class ActionFunding(models.Model):
    """A financing line of a fiche action: a category of funder (the guide's list), optionally the funder's name,
    one year. Two funders of one category (FEDER and FSE+) are two lines, told apart by their names."""

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
    funder = models.CharField(_("catégorie de financeur"), max_length=20, choices=Funder.choices)
    funder_name = models.CharField(
        _("financeur (nom)"),
        max_length=200,
        blank=True,
        help_text=_(
            "Facultatif : qui finance exactement (« FEDER », « Banque des Territoires », « Fondation Orange », "
            "« Commune de Trélissac »…). Le plan consolidé se lit alors aussi par financeur."
        ),
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=money_validators)

    class Meta:
        verbose_name = _("financement")
        ordering = ["year", "funder", "funder_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "year", "funder", "funder_name"], name="funding_one_per_year_funder_name"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="funding_amount_positive"),
        ]

    def __str__(self) -> str:
        who = f"{self.get_funder_display()} — {self.funder_name}" if self.funder_name else self.get_funder_display()
        return f"{who} {self.year} : {self.amount} €"

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
        verbose_name_plural = _("étapes du calendrier")
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
        verbose_name_plural = _("instances de gouvernance")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name

    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]
