"""Step 4 before and during the chantiers clés workshop: the inventory per enjeu, the « groupes enjeux » and the
fiche chantier of each roadmap.Chantier (the spine's own rows: a one-to-one sheet, never a copy)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projectgroup.models import Actor, Contact
from roadmap.models import Action, Chantier, Enjeu, Roadmap
from tenancy.models import Organization
from tenancy.ownership import OrganizationChecked


class InventoryKind(models.TextChoices):
    EXISTANT = "existant", _("Existe déjà")
    CARTONS = "cartons", _("Dans les cartons")


class InventoryEntry(OrganizationChecked):
    """Something already done on the territory, or planned (« dans les cartons »), that answers an enjeu: read by
    the groups before they imagine chantiers."""

    organization_parents = ("roadmap", "enjeu")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inventory_entries")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="inventory_entries")
    enjeu = models.ForeignKey(
        Enjeu, on_delete=models.CASCADE, related_name="inventory_entries", verbose_name=_("enjeu")
    )
    kind = models.CharField(_("état"), max_length=10, choices=InventoryKind.choices, default=InventoryKind.EXISTANT)
    title = models.CharField(_("intitulé"), max_length=300)
    carrier = models.CharField(_("porté par"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action existante ou prévue")
        verbose_name_plural = _("actions existantes ou prévues")
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class ChantierGroup(OrganizationChecked):
    """A « groupe enjeu » of the workshop: its pairs and trios fill fiches chantier, then the group validates them
    and picks its priorities (chantiers.actions)."""

    PRIORITY_LIMIT = 2
    UNKNOWN_LIMIT = 1

    organization_parents = ("roadmap", "enjeu")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="chantier_groups")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="chantier_groups")
    enjeu = models.OneToOneField(Enjeu, on_delete=models.CASCADE, related_name="chantier_group")
    reporter = models.CharField(_("rapporteur"), max_length=200, blank=True)
    # The group's countdown, shown on its projector (45 minutes per stage in the guide's running order).
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("groupe enjeu")
        verbose_name_plural = _("groupes enjeux")
        ordering = ["enjeu__order", "pk"]

    def __str__(self) -> str:
        return str(_("Groupe « %(enjeu)s »") % {"enjeu": self.enjeu.question})

    def get_absolute_url(self) -> str:
        return reverse("chantiers:group", kwargs={"chantiergroup_pk": self.pk})

    @property
    def timer_seconds_left(self) -> int | None:
        """None when no countdown runs; 0 once the time is up."""
        if self.timer_ends_at is None:
            return None
        return max(0, int((self.timer_ends_at - timezone.now()).total_seconds()))


class Feasibility(models.TextChoices):
    VERT = "vert", _("Vert")
    ORANGE = "orange", _("Orange")
    ROUGE = "rouge", _("Rouge")
    BLANC = "blanc", _("Blanc")


# What each colour means, shown beside the choice and in the legends (the guide's fiche outil n°3).
FEASIBILITY_MEANINGS: dict[str, Promise] = {
    Feasibility.VERT: _("exécutable à court terme : pilote, opérateur, acteurs associés et ressources identifiés"),
    Feasibility.ORANGE: _("exécutable à moyen terme : des freins sont à lever"),
    Feasibility.ROUGE: _("bloqué"),
    Feasibility.BLANC: _("on ne sait pas encore"),
}


class Priority(models.TextChoices):
    AUCUNE = "", _("Non retenu comme prioritaire")
    PRIORITAIRE = "prioritaire", _("Prioritaire")
    INCONNU = "inconnu", _("Inconnu désirable")


class GovernanceRole(models.TextChoices):
    PILOTE = "pilote", _("Qui pilote ?")
    OPERATEUR = "operateur", _("Qui fait ?")
    ASSOCIE = "associe", _("Qui est associé ?")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: Promise
    met: bool
    field: str  # the fiche's field that identifies it (the form's live check reads it)


class ChantierSheetQuerySet(models.QuerySet["ChantierSheet"]):
    def with_people(self) -> ChantierSheetQuerySet:
        return self.select_related("chantier", "group__enjeu").prefetch_related(
            models.Prefetch("people", queryset=SheetPerson.objects.select_related("actor", "contact__actor"))
        )


class ChantierSheet(OrganizationChecked):
    """The fiche chantier of one roadmap.Chantier: what it combines, « on aura réussi si… », who pilots, does and is
    associated, its resources and blockers, the group's feasibility colour and its priority."""

    organization_parents = ("chantier", "group")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="chantier_sheets")
    chantier = models.OneToOneField(Chantier, on_delete=models.CASCADE, related_name="sheet")
    group = models.ForeignKey(
        ChantierGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name=_("groupe enjeu"),
    )
    team = models.CharField(
        _("binôme ou trinôme"),
        max_length=200,
        blank=True,
        help_text=_("Qui a rempli la fiche, par exemple « Anne, Karim, Zoé »."),
    )
    actions = models.ManyToManyField(
        Action, blank=True, related_name="+", verbose_name=_("actions de la feuille de route qu'il combine")
    )
    free_actions = models.TextField(_("autres actions qu'il combine"), blank=True, help_text=_("Une action par ligne."))
    success = models.TextField(_("on aura réussi si…"), blank=True)
    resources_available = models.TextField(
        _("ressources mobilisables"), blank=True, help_text=_("Déjà là, sur le territoire ou ailleurs.")
    )
    resources_needed = models.TextField(
        _("ressources à mobiliser"), blank=True, help_text=_("Ce qu'il faudra aller chercher.")
    )
    blockers = models.TextField(_("freins à lever"), blank=True)
    feasibility = models.CharField(
        _("faisabilité"), max_length=10, choices=Feasibility.choices, default=Feasibility.BLANC
    )
    priority = models.CharField(_("priorité"), max_length=12, choices=Priority.choices, blank=True, default="")
    priority_reason = models.TextField(_("pourquoi ce choix"), blank=True)
    prioritised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prioritised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChantierSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche chantier")
        verbose_name_plural = _("fiches chantier")
        ordering = ["chantier__order", "pk"]
        constraints = [
            # The last guard under chantiers.actions.set_priority's lock: one « inconnu désirable » per group.
            models.UniqueConstraint(
                fields=["group"], condition=Q(priority="inconnu"), name="chantiers_one_unknown_per_group"
            )
        ]

    def __str__(self) -> str:
        return self.chantier.title

    def get_absolute_url(self) -> str:
        return reverse("chantiers:sheet", kwargs={"chantier_pk": self.chantier_id})

    # --- Governance and the feasibility criteria (people must be prefetched: `with_people()`) ---------------------

    def people_in(self, role: str) -> list[SheetPerson]:
        return [p for p in self.people.all() if p.role == role]

    @property
    def pilots(self) -> list[SheetPerson]:
        return self.people_in(GovernanceRole.PILOTE)

    @property
    def operators(self) -> list[SheetPerson]:
        return self.people_in(GovernanceRole.OPERATEUR)

    @property
    def associates(self) -> list[SheetPerson]:
        return self.people_in(GovernanceRole.ASSOCIE)

    @property
    def free_action_lines(self) -> list[str]:
        return [line.strip() for line in self.free_actions.splitlines() if line.strip()]

    @property
    def criteria(self) -> list[Criterion]:
        return feasibility_criteria({p.role for p in self.people.all()}, self.resources_available)

    @property
    def missing_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.met]

    @property
    def feasibility_meaning(self) -> Promise:
        return FEASIBILITY_MEANINGS[self.feasibility]

    @property
    def seen_token(self) -> str:
        """Which save of the fiche a form was opened on (chantiers.actions.save_sheet refuses a stale one)."""
        return self.updated_at.isoformat() if self.updated_at else ""

    @property
    def is_filled(self) -> bool:
        """Enough for the restitution: « on aura réussi si… », a pilot and a colour chosen by the group."""
        return bool(self.success.strip()) and bool(self.pilots) and self.feasibility != Feasibility.BLANC


def feasibility_criteria(roles: set[str], resources_available: str) -> list[Criterion]:
    """What a green colour requires (fiche outil n°3): pilot, operator, associated actors and resources identified."""
    return [
        Criterion("pilote", _("pilote"), GovernanceRole.PILOTE in roles, "pilote"),
        Criterion("operateur", _("opérateur"), GovernanceRole.OPERATEUR in roles, "operateur"),
        Criterion("acteurs", _("acteurs associés"), GovernanceRole.ASSOCIE in roles, "associe"),
        Criterion("ressources", _("ressources"), bool(resources_available.strip()), "resources_available"),
    ]


class SheetPerson(OrganizationChecked):
    """A structure or a person of the directory (projectgroup) named in a fiche's governance."""

    organization_parents = ("sheet", "actor", "contact")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    sheet = models.ForeignKey(ChantierSheet, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=10, choices=GovernanceRole.choices)
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("rôle dans la gouvernance")
        verbose_name_plural = _("rôles dans la gouvernance")
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False, contact__isnull=True) | Q(actor__isnull=True, contact__isnull=False),
                name="chantiers_sheetperson_actor_or_contact",
            )
        ]

    def __str__(self) -> str:
        if self.contact is not None:
            structure = f" ({self.contact.actor})" if self.contact.actor_id else ""
            return f"{self.contact}{structure}"
        return str(self.actor)

    @property
    def choice_value(self) -> str:
        return f"contact:{self.contact_id}" if self.contact_id else f"actor:{self.actor_id}"
