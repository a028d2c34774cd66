"""Step 4's resource maps (the guide's fiche outil n°4) and the rotations of the tables that draw them.

A resource map belongs to a spine chantier (roadmap.Chantier): its resources are rows keyed on the chantier, each
with its nature, who it is (an actor or contact of the directory, or a free label), and the three questions of the
method: do we have it, how are we connected to it (the drawn link), is it operative and when.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectgroup.models import Actor, Contact
from roadmap.models import Chantier, Roadmap
from tenancy.models import Organization
from tenancy.ownership import OrganizationChecked


class Nature(models.TextChoices):
    FINANCIERE = "financiere", _("Financière")
    HUMAINE = "humaine", _("Humaine")
    TECHNIQUE = "technique", _("Technique")
    INTELLECTUELLE = "intellectuelle", _("Intellectuelle")
    MATERIELLE = "materielle", _("Matérielle")


class LinkKind(models.TextChoices):
    """The guide's legend: how the chantier and the resource know each other, drawn none / dotted / solid."""

    NONE = "none", _("Pas de lien : on ne se connaît pas")
    DOTTED = "dotted", _("Pointillé : on se connaît, sans collaboration")
    SOLID = "solid", _("Trait plein : collaboration passée ou en cours")


# Short names for the table, the keyboard's announcements and the CSV.
LINK_SHORT = {LinkKind.NONE: _("aucun trait"), LinkKind.DOTTED: _("pointillé"), LinkKind.SOLID: _("trait plein")}
LINK_CYCLE = (LinkKind.NONE, LinkKind.DOTTED, LinkKind.SOLID)


class Availability(models.TextChoices):
    """« Est-ce qu'on a la ressource ? »"""

    ACQUISE = "acquise", _("On l'a")
    A_MOBILISER = "a_mobiliser", _("Existe, à mobiliser")
    A_CREER = "a_creer", _("N'existe pas encore, à créer")


class Horizon(models.TextChoices):
    """« Est-elle opérante ? » and when."""

    INCONNU = "", _("Pas encore évalué")
    COURT = "court", _("Court terme")
    MOYEN = "moyen", _("Moyen terme")
    LONG = "long", _("Long terme")


# The map's logical plane: the chantier at (0, 0), resources on a ring around it, one sector per nature.
RING_RADIUS = 240.0
RING_STAGGER = 90.0  # neighbours in one sector alternate between two rings, so that their labels keep apart
RING_WIDENING = 1.45  # the ring is an ellipse, wider than high: screens and A4 landscape pages are
POSITION_LIMIT = 2000.0


NATURE_ORDER = {value: index for index, value in enumerate(Nature.values)}


class ResourceQuerySet(models.QuerySet["Resource"]):
    def of_map(self, chantier: Chantier) -> list[Resource]:
        """The chantier's resources in the map's order: by nature as the legend lists them (the graph's sectors, the
        table's rows and the keyboard's Tab order agree), then as they were added."""
        rows = self.filter(organization_id=chantier.organization_id, chantier=chantier).select_related(
            "actor", "contact"
        )
        return sorted(rows, key=lambda r: (NATURE_ORDER.get(r.nature, 99), r.pk))


class Resource(OrganizationChecked):
    """One resource of a chantier's map."""

    organization_parents = ("chantier", "actor", "contact")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="map_resources")
    chantier = models.ForeignKey(
        Chantier, on_delete=models.CASCADE, related_name="map_resources", verbose_name=_("chantier")
    )
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices)
    label = models.CharField(
        _("ressource"),
        max_length=200,
        blank=True,
        help_text=_("Laissez vide pour reprendre le nom de la structure ou du contact choisi."),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="map_resources",
        verbose_name=_("structure de l'annuaire"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="map_resources",
        verbose_name=_("contact de l'annuaire"),
    )
    availability = models.CharField(
        _("l'a-t-on ?"), max_length=20, choices=Availability.choices, default=Availability.A_MOBILISER
    )
    link = models.CharField(_("lien avec le chantier"), max_length=10, choices=LinkKind.choices, default=LinkKind.NONE)
    connection = models.CharField(
        _("comment est-on connecté ?"),
        max_length=300,
        blank=True,
        help_text=_("Par qui, depuis quand, dans quel projet…"),
    )
    horizon = models.CharField(_("opérante à quel horizon ?"), max_length=10, choices=Horizon.choices, blank=True)
    # Where the resource was put on the map (logical plane, chantier at 0,0); empty: on its nature's sector.
    x = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-POSITION_LIMIT), MaxValueValidator(POSITION_LIMIT)]
    )
    y = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-POSITION_LIMIT), MaxValueValidator(POSITION_LIMIT)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["nature", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.contact_id and self.contact:
            return self.contact.full_name
        if self.actor_id and self.actor:
            return self.actor.name
        # Its structure or contact was taken out of the directory since (the form asks for a name or either).
        return str(_("Ressource sans nom"))

    @property
    def link_short(self) -> str:
        return str(LINK_SHORT[LinkKind(self.link)])

    @property
    def placed(self) -> bool:
        return self.x is not None and self.y is not None


def default_positions(resources: list[Resource]) -> dict[int, tuple[float, float]]:
    """Each resource's place on the map: where it was put, else on the ring in its nature's sector (five sectors,
    clockwise from the top, spread within the sector), so that screen and PDF draw the same map."""
    natures = list(Nature.values)
    by_nature: dict[str, list[Resource]] = {n: [] for n in natures}
    for resource in resources:
        by_nature.setdefault(resource.nature, []).append(resource)
    positions: dict[int, tuple[float, float]] = {}
    sector = 2 * math.pi / len(natures)
    for index, nature in enumerate(natures):
        members = by_nature[nature]
        for rank, resource in enumerate(members):
            if resource.placed:
                positions[resource.pk] = (float(resource.x or 0), float(resource.y or 0))
                continue
            angle = -math.pi / 2 + sector * index + sector * (rank + 1) / (len(members) + 1) - sector / 2
            radius = RING_RADIUS + (RING_STAGGER if rank % 2 else 0.0)
            x, y = radius * RING_WIDENING * math.cos(angle), radius * math.sin(angle)
            positions[resource.pk] = (round(x, 1), round(y, 1))
    return positions


# --- Table rotations ------------------------------------------------------------------------------------------------


class RotationSession(OrganizationChecked):
    """The map workshop's timed rounds: one table per chantier, people change tables every N minutes while one
    person per table stays and passes on what was said (the hand-over note)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("À lancer")
        RUNNING = "running", _("En cours")
        FINISHED = "finished", _("Terminée")

    organization_parents = ("roadmap",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rotation_sessions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="rotation_sessions")
    title = models.CharField(_("intitulé"), max_length=200, default=_("Atelier cartographie des ressources"))
    minutes = models.PositiveSmallIntegerField(
        _("durée d'une rotation (minutes)"), default=20, validators=[MinValueValidator(5), MaxValueValidator(60)]
    )
    rotations = models.PositiveSmallIntegerField(
        _("nombre de changements de table"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(3)],
        help_text=_("Deux ou trois changements selon le temps dont vous disposez."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The round under way: 1 before the first change of tables, up to rotations + 1.
    round = models.PositiveSmallIntegerField(default=0)
    round_started_at = models.DateTimeField(null=True, blank=True)
    # Seconds left when the animator paused the timer; empty while it runs.
    paused_left = models.PositiveIntegerField(null=True, blank=True)
    # Raised on every change, so that the screens following the session refresh (workshops/live.js).
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rotation des tables")
        verbose_name_plural = _("rotations des tables")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def rounds(self) -> int:
        return self.rotations + 1

    @property
    def is_last_round(self) -> bool:
        return self.round >= self.rounds

    @property
    def timer_running(self) -> bool:
        return self.status == self.Status.RUNNING and self.paused_left is None

    def seconds_left(self, now: datetime.datetime | None = None) -> int:
        total = self.minutes * 60
        if self.status != self.Status.RUNNING or self.round_started_at is None:
            return total if self.status == self.Status.PLANNED else 0
        if self.paused_left is not None:
            return self.paused_left
        elapsed = ((now or timezone.now()) - self.round_started_at).total_seconds()
        return max(0, int(total - elapsed))


class RotationTable(OrganizationChecked):
    """A table of the session: the chantier whose map it draws, and who stays there to pass it on."""

    organization_parents = ("session", "chantier")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rotation_tables")
    session = models.ForeignKey(RotationSession, on_delete=models.CASCADE, related_name="tables")
    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, related_name="rotation_tables")
    keeper = models.CharField(_("personne qui reste à la table"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "chantier"], name="one_table_per_chantier")]

    def __str__(self) -> str:
        return self.chantier.title


class HandoverNote(OrganizationChecked):
    """What a table passes on at the end of a round, shown to the newcomers when the next round starts."""

    organization_parents = ("table",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="handover_notes")
    table = models.ForeignKey(RotationTable, on_delete=models.CASCADE, related_name="notes")
    round = models.PositiveSmallIntegerField()
    text = models.TextField(_("note de passation"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["table", "round"], name="one_note_per_table_round")]

    def __str__(self) -> str:
        return f"{self.table} — {self.round}"
