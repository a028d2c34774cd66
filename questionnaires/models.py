"""Questionnaires of step 7: built by editors, answered without an account on a public link.

A questionnaire belongs to an organisation and one of its roadmaps. Respondents are not users: they hold a link
token (one answer per link), a respondent code (one answer per code, the code also matches an « avant » answer to
its « après » answer, anonymously), or nothing (open questionnaire). Every row carries `organization`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from tenancy.models import Organization
from tenancy.ownership import OrganizationChecked

# Codes are typed on a phone and read aloud: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
PUBLIC_TOKEN_LENGTH = 24
LINK_TOKEN_LENGTH = 22
DEFAULT_LIKERT_LABELS = [
    "Pas du tout d'accord",
    "Plutôt pas d'accord",
    "Ni d'accord ni pas d'accord",
    "Plutôt d'accord",
    "Tout à fait d'accord",
]
TEXT_MAX_LENGTH = 5000


def format_number(value: Decimal) -> str:
    """« 3 », « 2,5 »: French decimal comma, no trailing zeros."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:f}".rstrip("0").replace(".", ",")


def new_token() -> str:
    """A questionnaire's public token: 24 characters (144 random bits)."""
    return secrets.token_urlsafe(18)


def new_link_token() -> str:
    """An invitation link's token: 22 characters (128 random bits). Its length tells a link from a questionnaire
    on the public page, so each is found in one query."""
    return secrets.token_urlsafe(16)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Mode(models.TextChoices):
    LINK = "link", _("Une réponse par lien d'invitation")
    CODE = "code", _("Une réponse par code de répondant")
    OPEN = "open", _("Ouvert (réponses anonymes, sans limite)")


class Phase(models.TextChoices):
    SINGLE = "", _("Questionnaire seul")
    BEFORE = "avant", _("« Avant » d'une paire avant/après")
    AFTER = "apres", _("« Après » d'une paire avant/après")


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def with_counts(self) -> QuestionnaireQuerySet:
        return self.annotate(
            n_responses=Count("responses", distinct=True), n_questions=Count("questions", distinct=True)
        )


class Questionnaire(OrganizationChecked):
    organization_parents = ("roadmap", "before")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questionnaires")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="questionnaires")
    title = models.CharField(_("titre"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Affichée en tête du questionnaire : à quoi il sert, combien de temps il prend, qui lira."),
    )
    thanks = models.TextField(_("message de remerciement"), blank=True)
    mode = models.CharField(_("mode de réponse"), max_length=10, choices=Mode.choices, default=Mode.OPEN)
    phase = models.CharField(_("avant / après"), max_length=10, choices=Phase.choices, default=Phase.SINGLE, blank=True)
    # Set on an « après » questionnaire: its « avant », whose respondent codes it shares.
    before = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="after",
        verbose_name=_("questionnaire « avant »"),
    )
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)
    public_token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("questionnaire")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="questionnaire_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def code_owner(self) -> Questionnaire:
        """The questionnaire whose respondent codes this one accepts: its « avant » for an « après »."""
        return self.before if self.before_id else self  # type: ignore[return-value]

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)

    def state(self, now: Any = None) -> str:
        now = now or timezone.now()
        if self.opens_at is not None and now < self.opens_at:
            return "upcoming"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"

    def state_label(self) -> str:
        return str({"upcoming": _("Pas encore ouvert"), "closed": _("Clos"), "open": _("Ouvert")}[self.state()])


class Kind(models.TextChoices):
    LIKERT = "likert", _("Échelle de 1 à 5")
    SINGLE = "single", _("Choix unique")
    MULTIPLE = "multiple", _("Choix multiple")
    NUMBER = "number", _("Nombre")
    TEXT = "text", _("Texte libre")


class Question(OrganizationChecked):
    organization_parents = ("questionnaire", "before_question")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questionnaire_questions")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    label = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("précision"), max_length=300, blank=True)
    required = models.BooleanField(_("réponse obligatoire"), default=True)
    # Single and multiple choice: the options, in order. Answers store the option's text.
    choices = models.JSONField(_("réponses proposées"), default=list, blank=True)
    # Likert: the five labels, from 1 to 5.
    scale_labels = models.JSONField(_("libellés de l'échelle"), default=list, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=12, decimal_places=2, null=True, blank=True)
    # On an « après » questionnaire: the « avant » question it is compared with.
    before_question = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="after_questions"
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.label

    @property
    def labels(self) -> list[str]:
        """The Likert scale's five labels (the defaults where none was written)."""
        given = list(self.scale_labels or [])
        return [(given[i] if i < len(given) and given[i] else DEFAULT_LIKERT_LABELS[i]) for i in range(5)]

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Kind.LIKERT, Kind.NUMBER)


class ResponseLink(OrganizationChecked):
    """An invitation link: its token allows one answer."""

    organization_parents = ("questionnaire",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questionnaire_links")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=40, unique=True, default=new_link_token, editable=False)
    number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"{self.questionnaire} · lien {self.number}"


class RespondentCode(OrganizationChecked):
    """An anonymous respondent code: one answer per questionnaire, and the key matching « avant » to « après »."""

    organization_parents = ("questionnaire",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="respondent_codes")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=CODE_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="respondent_code_unique")]

    def __str__(self) -> str:
        return self.code


class Response(OrganizationChecked):
    organization_parents = ("questionnaire", "link", "code")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questionnaire_responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    link = models.ForeignKey(ResponseLink, on_delete=models.PROTECT, null=True, blank=True, related_name="responses")
    code = models.ForeignKey(RespondentCode, on_delete=models.PROTECT, null=True, blank=True, related_name="responses")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            # The last guard of « one answer »: two submits racing past the lock still cannot both be stored.
            models.UniqueConstraint(fields=["link"], condition=Q(link__isnull=False), name="one_response_per_link"),
            models.UniqueConstraint(
                fields=["questionnaire", "code"], condition=Q(code__isnull=False), name="one_response_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · réponse {self.pk}"


class Answer(OrganizationChecked):
    organization_parents = ("response", "question")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questionnaire_answers")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # Likert, number
    text = models.TextField(blank=True)  # single choice, free text
    choices = models.JSONField(default=list, blank=True)  # multiple choice

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question} : {self.display()}"

    def display(self) -> str:
        if self.number is not None:
            return format_number(self.number)
        if self.choices:
            return " | ".join(self.choices)
        return self.text
