"""Live participatory workshops (step 3, fiches outil n°1 and n°2; the « tour de table » of step 2).

A Workshop is the session an animator prepares (type, date, place, question, stage timers); it runs in one
or several WorkshopGroups of 10–15 people, each with its own join code, items, points and matrix, which a
plenary view puts side by side. Participants have no account: a Participant row holds a random token that
their phone keeps in a signed cookie.

The rules of the method (DESIGN.md "Workshop rules") live here and in workshops/actions.py.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Enjeu, Roadmap
from tenancy.models import Organization

MAX_ITEMS_PER_PARTICIPANT = 3
MAX_POINTS_PER_ITEM = 5
TOP_SIZE = 10
# The matrix's second post-it: the territory « dans 10 ans », i.e. the workshop's year + 10 (Workshop.horizon_year).
HORIZON_YEARS = 10
# Unambiguous characters for codes read aloud or typed on a phone (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def envelope_for(item_count: int) -> int:
    """Points each participant may spend: half the number of items, rounded down (20 items → 10 points)."""
    return max(item_count, 0) // 2


class Kind(models.TextChoices):
    DIX_ANS = "dix_ans", _("Mon territoire dans 10 ans")
    IDEES_RECUES = "idees_recues", _("Idées reçues")
    TOUR_DE_TABLE = "tour_de_table", _("Tour de table (étape 2)")


class Stage(models.TextChoices):
    QUESTION = "question", _("Question")
    COLLECTION = "collection", _("Collecte des items")
    VOTE = "vote", _("Points")
    RANKING = "ranking", _("Classement et top 10")
    MATRIX = "matrix", _("Matrice")
    DONE = "done", _("Terminé")


STAGE_ORDER = [Stage.QUESTION, Stage.COLLECTION, Stage.VOTE, Stage.RANKING, Stage.MATRIX, Stage.DONE]
# The tour de table only collects answers.
TOUR_STAGE_ORDER = [Stage.QUESTION, Stage.COLLECTION, Stage.DONE]

# The one table of which animator actions each stage allows: the presenter's buttons, the shortcut keys of the
# presenter and of the projector (sent to their script as data-allowed) and the server (workshopgroup_action) all
# read it, so a key pressed at the wrong stage (« B » during the collection) does nothing anywhere.
_TIMER = ("timer", "timer_reset")
STAGE_ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    Stage.QUESTION: ("next", *_TIMER),
    Stage.COLLECTION: ("previous", "next", *_TIMER),
    Stage.VOTE: ("previous", "next", *_TIMER, "vote", "reveal", "strike"),
    Stage.RANKING: ("previous", "next", *_TIMER, "reveal", "strike"),
    Stage.MATRIX: ("previous", "next", *_TIMER, "reveal"),
    Stage.DONE: ("previous", "reveal"),
}
# Undo (Ctrl+Z or the « Annuler » button) is offered for this long after a destructive action.
UNDO_SECONDS = 10 * 60
UNDO_DEPTH = 10
# The room objects to a merge under discussion during this countdown (shown on the wall, not enforced).
MERGE_COUNTDOWN_SECONDS = 60


def allowed_actions(stage: str) -> tuple[str, ...]:
    """The animator's stage actions allowed at `stage` (see STAGE_ALLOWED_ACTIONS)."""
    return STAGE_ALLOWED_ACTIONS.get(stage, ())


class Maitrise(models.TextChoices):
    FAIBLE = "faible", _("Faible")
    MOYEN = "moyen", _("Moyen")
    FORT = "fort", _("Fort")


# Words too common to say what a tour de table was about (accents folded, 4 letters or more).
SUMMARY_STOPWORDS = frozenset(
    "avec dans pour plus tout tous toute toutes sans mais elle elles nous vous leur leurs sont etre avoir fait faire "
    "quand comme cette ces ceux celles celui aussi bien tres peut pouvoir meme encore chez entre alors donc ainsi "
    "notre votre nos vos mon ton son mes tes ses quoi quel quelle quels quelles dont autre autres chaque "
    "numerique inclusion".split()
)
SUMMARY_WORDS = 8


@dataclass
class TourSummary:
    answers: int
    people: int
    recurring: list[tuple[str, int]]  # (word as first written, how many answers use it), most frequent first
    synthesis: str
    texts: list[Any]


class Workshop(models.Model):
    """A workshop session as prepared by the animator; may serve as a template for the next ones."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshops")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="workshops")
    kind = models.CharField(_("type d'atelier"), max_length=20, choices=Kind.choices, default=Kind.DIX_ANS)
    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    question = models.CharField(_("question de départ"), max_length=400)
    reformulation = models.TextField(
        _("reformulation"), blank=True, help_text=_("La question dite autrement, pour lever les malentendus.")
    )
    question_minutes = models.PositiveSmallIntegerField(_("question (minutes)"), default=10)
    collection_minutes = models.PositiveSmallIntegerField(_("collecte (minutes)"), default=40)
    vote_minutes = models.PositiveSmallIntegerField(_("points (minutes)"), default=20)
    ranking_minutes = models.PositiveSmallIntegerField(_("classement (minutes)"), default=20)
    matrix_minutes = models.PositiveSmallIntegerField(_("matrice (minutes)"), default=30)
    is_template = models.BooleanField(_("modèle réutilisable"), default=False)
    timer_autostart = models.BooleanField(
        _("lancer le minuteur à l'ouverture de chaque étape"),
        default=False,
        help_text=_("Sinon, l'animateur le lance (touche T)."),
    )
    synthesis = models.TextField(_("synthèse à chaud de l'observateur"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:workshop_detail", kwargs={"workshop_pk": self.pk})

    @property
    def stage_order(self) -> list[Stage]:
        return TOUR_STAGE_ORDER if self.kind == Kind.TOUR_DE_TABLE else STAGE_ORDER

    def minutes_for(self, stage: str) -> int:
        return int(getattr(self, f"{stage}_minutes", 0) or 0)

    @property
    def y_label(self) -> Any:
        return _("Répandue") if self.kind == Kind.IDEES_RECUES else _("Impact")

    @property
    def x_label(self) -> Any:
        return _("Fondée") if self.kind == Kind.IDEES_RECUES else _("Maîtrise")

    def tour_summary(self) -> TourSummary:
        """What a tour de table gathered, for step 2 (from prefetched `groups__answers`): how many answers from how
        many people, the words that come back, the observer's synthesis."""
        answers = [answer for group in self.groups.all() for answer in group.answers.all()]
        people = {a.participant_id or (a.author.strip().lower() or f"answer-{a.pk}") for a in answers}
        words: Counter[str] = Counter()
        spelled: dict[str, str] = {}
        for answer in answers:
            seen = set()
            for word in re.findall(r"[\w’'-]+", answer.text.lower()):
                word = word.strip("’'-")
                key = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
                if len(key) < 4 or key in SUMMARY_STOPWORDS or key in seen:
                    continue
                seen.add(key)  # a word counts once per answer: how many people said it
                words[key] += 1
                spelled.setdefault(key, word)
        recurring = [(spelled[key], n) for key, n in words.most_common(SUMMARY_WORDS) if n >= 2]
        return TourSummary(len(answers), len(people), recurring, self.synthesis, answers)

    @property
    def horizon_year(self) -> int:
        """The year the « dans 10 ans » post-its stand for: ten years after the workshop (fiche outil n°1, written
        in 2020, says 2030). Without a date, ten years after the day it was prepared."""
        day = self.date or (timezone.localdate(self.created_at) if self.created_at else timezone.localdate())
        return day.year + HORIZON_YEARS

    def moment_label(self, moment: str) -> str:
        """How this workshop names a post-it's moment: « Aujourd'hui », « Dans 10 ans (2036) », « Post-it »."""
        if moment == Placement.Moment.HORIZON:
            return _("Dans 10 ans (%(year)s)") % {"year": self.horizon_year}
        return str(Placement.Moment(moment).label)

    @property
    def moments(self) -> list[tuple[str, str]]:
        if self.kind == Kind.IDEES_RECUES:
            return [(Placement.Moment.UNIQUE, self.moment_label(Placement.Moment.UNIQUE))]
        both = (Placement.Moment.AUJOURDHUI, Placement.Moment.HORIZON)
        return [(moment, self.moment_label(moment)) for moment in both]


class WorkshopGroup(models.Model):
    """One group of 10–15 people running the workshop; holds the live state shown on the projector."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_groups")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("nom du groupe"), max_length=100)
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_code)
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices, default=Stage.QUESTION)
    voting_open = models.BooleanField(_("vote ouvert"), default=False)
    envelope = models.PositiveSmallIntegerField(_("enveloppe de points"), default=0)
    revealed = models.BooleanField(_("résultats révélés"), default=False)
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_remaining = models.DurationField(null=True, blank=True)
    expected_participants = models.PositiveSmallIntegerField(
        _("participants attendus"),
        null=True,
        blank=True,
        help_text=_("Le nombre de personnes dans la salle : au-delà, la projection signale des participants en trop."),
    )
    # The animator's last destructive actions, newest last: what « Annuler » (Ctrl+Z) restores (workshops.actions).
    undo_log = models.JSONField(default=list, blank=True)
    # Bumped on every change the projector must show (not on votes: those are read from the ballots).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("groupe d'atelier")
        verbose_name_plural = _("groupes d'atelier")
        ordering = ["workshop", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.workshop.title} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("workshops:workshopgroup_presenter", kwargs={"workshopgroup_pk": self.pk})

    # --- Items in their states -------------------------------------------------------------------

    def live_items(self) -> ItemQuerySet:
        """Accepted items still standing on their own (not merged into another); struck ones included."""
        return Item.objects.filter(group=self).live()

    def votable_items(self) -> ItemQuerySet:
        return self.live_items().filter(struck=False)

    def items_with_points(self) -> list[Item]:
        """Live items annotated with `total` (phones + paper + merged originals), in order of entry."""
        return list(self.live_items().with_points().order_by("number"))

    def top(self) -> list[Item]:
        return top_items(self.items_with_points())

    # --- Timer -----------------------------------------------------------------------------------

    def timer_seconds_left(self, now: Any = None) -> int:
        now = now or timezone.now()
        if self.timer_ends_at:
            return max(0, int((self.timer_ends_at - now).total_seconds()))
        if self.timer_remaining is not None:
            return max(0, int(self.timer_remaining.total_seconds()))
        return self.workshop.minutes_for(self.stage) * 60

    @property
    def timer_running(self) -> bool:
        return self.timer_ends_at is not None

    def stage_duration(self) -> timedelta:
        return timedelta(minutes=self.workshop.minutes_for(self.stage))

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return allowed_actions(self.stage)

    def last_undo(self, now: Any = None) -> dict[str, Any] | None:
        """The newest destructive action that may still be undone, or None."""
        if not self.undo_log:
            return None
        entry: dict[str, Any] = self.undo_log[-1]
        at = datetime.fromisoformat(entry["at"])
        if ((now or timezone.now()) - at).total_seconds() > UNDO_SECONDS:
            return None
        return entry


class ItemQuerySet(models.QuerySet["Item"]):
    def live(self) -> ItemQuerySet:
        """Accepted items still standing on their own (not merged into another); struck ones included."""
        return self.filter(status=Item.Status.ACCEPTED, merged_into__isnull=True)

    def with_points_by_group(self) -> dict[int, list[Item]]:
        """These items' live ones annotated with `total`, by group id, in order of entry: one query for all groups."""
        by_group: dict[int, list[Item]] = {}
        for item in self.live().with_points().order_by("group_id", "number"):
            by_group.setdefault(item.group_id, []).append(item)
        return by_group

    def tops_by_group(self) -> dict[int, list[Item]]:
        """The top 10 of each group of these items (`top_items`), in one query; a group without points has none."""
        return {group_id: top_items(items) for group_id, items in self.with_points_by_group().items()}

    def with_points(self) -> ItemQuerySet:
        """Annotate `total`: phone votes + paper totals, and those of the merged originals."""
        own_votes = Coalesce(Sum("votes__points"), 0)
        annotated: ItemQuerySet = self.annotate(
            phone_points=own_votes,
            merged_phone=Coalesce(
                models.Subquery(
                    Vote.objects.filter(item__merged_into=models.OuterRef("pk"))
                    .order_by()
                    .values("item__merged_into")
                    .annotate(s=Sum("points"))
                    .values("s")
                ),
                0,
            ),
            merged_paper=Coalesce(
                models.Subquery(
                    Item.objects.filter(merged_into=models.OuterRef("pk"))
                    .order_by()
                    .values("merged_into")
                    .annotate(s=Sum("paper_points"))
                    .values("s")
                ),
                0,
            ),
        )
        return annotated.annotate(  # type: ignore[no-redef]
            total=models.F("phone_points")
            + models.F("paper_points")
            + models.F("merged_phone")
            + models.F("merged_paper")
        )


class Item(models.Model):
    """An idea given in the collection round: 2–3 words, numbered in order of entry."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé depuis un téléphone")
        ACCEPTED = "accepted", _("Retenu")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_items")
    group = models.ForeignKey(WorkshopGroup, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField(_("numéro"), null=True, blank=True)
    label = models.CharField(_("item"), max_length=80)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    author = models.ForeignKey("Participant", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    # Total of raised hands typed by the animator (paper mode); adds to the phones' points.
    paper_points = models.PositiveIntegerField(_("points à main levée"), default=0)
    struck = models.BooleanField(_("barré"), default=False)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="originals")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    # Set by ItemQuerySet.with_points() and top_items().
    total: int
    rank: int

    class Meta:
        verbose_name = _("item")
        ordering = ["group", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="workshop_item_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '?'}. {self.label}"

    @property
    def is_merged(self) -> bool:
        return self.originals.exists()


class Participant(models.Model):
    """Someone in the room, without an account: known by a random token kept in their phone's cookie."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_participants")
    group = models.ForeignKey(WorkshopGroup, on_delete=models.CASCADE, related_name="participants")
    first_name = models.CharField(_("prénom"), max_length=60, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    voted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.first_name or str(_("Participant anonyme"))

    @property
    def has_voted(self) -> bool:
        return self.voted_at is not None


class Vote(models.Model):
    """The points (0–5) a participant gives to one item."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="votes")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "item"], name="workshop_vote_once_per_item"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=MAX_POINTS_PER_ITEM), name="workshop_vote_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class MergeProposal(models.Model):
    """Merging similar items needs consensus: a single objection cancels it."""

    class Status(models.TextChoices):
        OPEN = "open", _("En discussion")
        MERGED = "merged", _("Fusionné")
        CANCELLED = "cancelled", _("Annulé (objection)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_merges")
    group = models.ForeignKey(WorkshopGroup, on_delete=models.CASCADE, related_name="merges")
    label = models.CharField(_("intitulé de l'item fusionné"), max_length=80)
    items = models.ManyToManyField(Item, related_name="merge_proposals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    objection_by = models.CharField(_("objection de"), max_length=100, blank=True)
    # The phone that objected, told so on its page (« votre objection est enregistrée »).
    objector = models.ForeignKey(
        "Participant", on_delete=models.SET_NULL, null=True, blank=True, related_name="objections"
    )
    result = models.OneToOneField(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="merge")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposition de fusion")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.label


class Placement(models.Model):
    """A post-it on the matrix: x chosen by the group, y (impact / répandue) comes from the points."""

    class Moment(models.TextChoices):
        AUJOURDHUI = "aujourdhui", _("Aujourd'hui")
        # Named with its year by Workshop.moment_label (« Dans 10 ans (2036) »): show that, not this label.
        HORIZON = "horizon", _("Dans 10 ans")
        UNIQUE = "unique", _("Post-it")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_placements")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="placements")
    moment = models.CharField(max_length=12, choices=Moment.choices)
    x = models.CharField(_("position"), max_length=10, choices=Maitrise.choices)
    reason = models.TextField(_("pourquoi cette place ?"), blank=True)
    what_it_takes = models.TextField(_("que faudrait-il pour y arriver ?"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post-it")
        constraints = [models.UniqueConstraint(fields=["item", "moment"], name="workshop_placement_once")]

    def __str__(self) -> str:
        return f"{self.item.label} · {self.get_moment_display()}"


class Answer(models.Model):
    """A « tour de table » answer: what digital inclusion means to someone, sent by phone or typed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workshop_answers")
    group = models.ForeignKey(WorkshopGroup, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True)
    author = models.CharField(_("qui"), max_length=100, blank=True)
    text = models.TextField(_("réponse"), max_length=600)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réponse au tour de table")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class EnjeuOrigin(models.Model):
    """Where an enjeu of the spine comes from: a workshop, its items and matrix placements."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="enjeu_origins")
    enjeu = models.OneToOneField(Enjeu, on_delete=models.CASCADE, related_name="workshop_origin")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="enjeu_origins")
    items = models.ManyToManyField(Item, related_name="enjeu_origins", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("origine d'un enjeu")

    def __str__(self) -> str:
        return str(self.enjeu)


def top_items(items: list[Item]) -> list[Item]:
    """The top 10 in decreasing points, for items annotated with `total`.

    Ties: equal totals keep the order of entry (item number); items tied with the 10th are all kept, so
    the top may hold more than 10 items rather than drop one arbitrarily. Struck items and items without
    points are never in it. Each item gets `rank` (equal totals share a rank).
    """
    ranked = sorted(
        (i for i in items if not i.struck and getattr(i, "total", 0) > 0),
        key=lambda i: (-i.total, i.number or 0),
    )
    top: list[Item] = []
    for item in ranked:
        if len(top) >= TOP_SIZE and item.total < top[-1].total:
            break
        top.append(item)
    previous_total, rank = None, 0
    for position, item in enumerate(top, start=1):
        if item.total != previous_total:
            rank, previous_total = position, item.total
        item.rank = rank
    return top
