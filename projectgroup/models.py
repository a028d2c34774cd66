"""Steps 1 and 2 of the method: the actors and contacts of the territory, the groupe projet and its mandate, the
démarche's calendar, the meetings with their invitations and attendance, the shared definition.

Actors and contacts belong to the organisation (one directory for all its démarches); everything else belongs to one
roadmap (a démarche). The governance bodies are the roadmap's own (fiches.models.GovernanceBody): meetings point at
them, so the next date of a body is the date of its next meeting.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.models import GovernanceBody
from roadmap.models import Roadmap
from tenancy.models import Organization
from territories.models import Commune


def new_token() -> str:
    """An unguessable token for a public link (an invitee's answer, a meeting's check-in)."""
    return secrets.token_urlsafe(24)


# --- Actors and contacts ------------------------------------------------------------------------------------------


class Family(models.TextChoices):
    """The publics of the « Panorama des acteurs »: who a structure serves or can reach."""

    TOUS = "tous", _("Toute la population")
    SENIORS = "seniors", _("Seniors")
    MINIMA_SOCIAUX = "minima_sociaux", _("Bénéficiaires des minima sociaux")
    JEUNES = "jeunes", _("Jeunes de 16 à 30 ans")
    HANDICAP = "handicap", _("Personnes en situation de handicap")
    FAMILLES = "familles", _("Familles")
    LANGUE = "langue", _("Personnes apprenant le français")
    ACTION_PUBLIQUE = "action_publique", _("Action publique")
    DEMANDEURS_EMPLOI = "demandeurs_emploi", _("Demandeurs d'emploi")
    ENTREPRISES = "entreprises", _("Entreprises")


# For the panorama gaps: the kinds of structures that usually reach each public, as prompts (not exhaustive).
FAMILY_PROMPTS: dict[str, tuple[str, ...]] = {
    Family.TOUS: ("médiathèques", "France services", "espaces publics numériques", "tiers-lieux", "mairies"),
    Family.SENIORS: ("CLIC", "clubs d'aînés", "EHPAD et résidences autonomie", "CARSAT", "aides à domicile"),
    Family.MINIMA_SOCIAUX: ("CCAS et CIAS", "référents insertion", "épiceries solidaires", "associations caritatives"),
    Family.JEUNES: ("missions locales", "PIJ et BIJ", "foyers de jeunes travailleurs", "MJC", "écoles de la 2e chance"),
    Family.HANDICAP: ("MDPH", "Cap emploi", "associations de personnes handicapées", "ESAT"),
    Family.FAMILLES: ("CAF", "centres sociaux", "établissements scolaires", "bailleurs sociaux", "PMI"),
    Family.LANGUE: ("ateliers sociolinguistiques", "centres d'accueil de demandeurs d'asile", "associations de FLE"),
    Family.ACTION_PUBLIQUE: ("communes", "département", "région", "services de l'État", "syndicats du numérique"),
    Family.DEMANDEURS_EMPLOI: ("France Travail", "maisons de l'emploi", "chantiers d'insertion", "régies de quartier"),
    Family.ENTREPRISES: ("chambres consulaires", "clubs d'entreprises", "banques", "médiateurs pour les entreprises"),
}


class ActorKind(models.TextChoices):
    COLLECTIVITE = "collectivite", _("Collectivité")
    SERVICE_PUBLIC = "service_public", _("Service public")
    ASSOCIATION = "association", _("Association")
    ENTREPRISE = "entreprise", _("Entreprise")
    ETABLISSEMENT = "etablissement", _("Établissement (enseignement, santé, social)")
    AUTRE = "autre", _("Autre")


siret_validator = RegexValidator(r"^\d{14}$", _("Un SIRET compte 14 chiffres."))


class ActorQuerySet(models.QuerySet["Actor"]):
    def represented_families(self) -> set[str]:
        """The panorama families served by at least one of these actors (one query)."""
        rows = self.values_list("families", flat=True)
        return {family for families in rows for family in families}


class Actor(models.Model):
    """A structure of the territory (not a user): who it is, where, and which publics it serves."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField(_("nom de la structure"), max_length=250)
    kind = models.CharField(_("type de structure"), max_length=20, choices=ActorKind.choices, default=ActorKind.AUTRE)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    families = ArrayField(
        models.CharField(max_length=30, choices=Family.choices),
        default=list,
        blank=True,
        verbose_name=_("publics accompagnés (panorama des acteurs)"),
    )
    tags = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("étiquettes"))
    website = models.URLField(_("site internet"), blank=True)
    email = models.EmailField(_("courriel de la structure"), blank=True)
    phone = models.CharField(_("téléphone de la structure"), max_length=30, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.CharField(_("origine"), max_length=100, blank=True)  # « saisie », « import clients.xlsx »…
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        verbose_name = _("acteur")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "siret"], condition=~Q(siret=""), name="projectgroup_actor_unique_siret"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projectgroup:actor_detail", kwargs={"actor_pk": self.pk})

    def family_labels(self) -> list[str]:
        labels = dict(Family.choices)
        return [str(labels[f]) for f in self.families if f in labels]


class Contact(models.Model):
    """A person of the directory, most often without an account; may be linked to a user of the organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    actor = models.ForeignKey(
        Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts", verbose_name=_("structure")
    )
    full_name = models.CharField(_("nom et prénom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte utilisateur"),
    )
    consent = models.BooleanField(
        _("accepte de figurer dans l'annuaire et d'être contacté"),
        default=False,
        help_text=_("Recueillez l'accord de la personne avant de lui écrire."),
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    do_not_contact = models.BooleanField(
        _("ne plus contacter"), default=False, help_text=_("Aucune invitation ne lui sera envoyée.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("projectgroup:contact_detail", kwargs={"contact_pk": self.pk})

    @property
    def can_be_invited(self) -> bool:
        return bool(self.email) and self.consent and not self.do_not_contact


# --- Groupe projet, mandate, objectives -------------------------------------------------------------------------


class GroupRole(models.TextChoices):
    REFERENT_POLITIQUE = "referent_politique", _("Référent politique")
    REFERENT_TECHNIQUE = "referent_technique", _("Référent technique")
    ANIMATEUR = "animateur", _("Animateur")
    OBSERVATEUR = "observateur", _("Observateur")
    LOGISTIQUE = "logistique", _("Logistique")
    COMMUNICATION = "communication", _("Communication")
    MEMBRE = "membre", _("Membre")


class Mandate(models.Model):
    """What the groupe projet was asked to do, by whom, and until when (one per démarche)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="mandates")
    roadmap = models.OneToOneField(Roadmap, on_delete=models.CASCADE, related_name="mandate")
    text = models.TextField(
        _("mandat du groupe projet"),
        blank=True,
        help_text=_("Qui a confié la démarche au groupe, ce qu'il doit produire et pour quand."),
    )
    given_by = models.CharField(_("confié par"), max_length=250, blank=True)
    given_on = models.DateField(_("date de la décision"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mandat")

    def __str__(self) -> str:
        return self.text[:80]


class Objective(models.Model):
    """One line of « on aura réussi si… »."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="group_objectives")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="group_objectives")
    text = models.CharField(_("on aura réussi si…"), max_length=400)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("objectif")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class GroupMember(models.Model):
    """A seat in the groupe projet: always a contact of the directory (itself possibly linked to a user)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="group_members")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="group_members")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="seats", verbose_name=_("personne"))
    role = models.CharField(
        _("rôle dans la démarche"), max_length=30, choices=GroupRole.choices, default=GroupRole.MEMBRE
    )
    commitment = models.TextField(_("ce à quoi la personne s'engage"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membre du groupe projet")
        ordering = ["role", "contact__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "contact"], name="projectgroup_member_once_per_roadmap")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_role_display()})"


class BodyMember(models.Model):
    """A person of the directory sitting in a governance body (fiches.GovernanceBody, the roadmap's own): the body's
    members as contacts, reachable for its meetings, beside the free-text lines step 6 began with."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="body_members")
    body = models.ForeignKey(
        GovernanceBody, on_delete=models.CASCADE, related_name="contact_seats", verbose_name=_("instance")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="body_seats", verbose_name=_("personne")
    )
    function = models.CharField(
        _("rôle dans l'instance"), max_length=200, blank=True, help_text=_("Par exemple : président, membre, invité.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une instance")
        verbose_name_plural = _("membres d'une instance")
        ordering = ["contact__full_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["body", "contact"], name="projectgroup_body_member_once")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.body})"


def unlinked_member_lines(body: GovernanceBody) -> list[str]:
    """The body's free-text member lines (step 6) whose name (before a comma) no linked contact bears yet; reads
    the body's `contact_seats` (prefetch them with their contacts)."""
    linked = {seat.contact.full_name.strip().lower() for seat in body.contact_seats.all()}
    return [line for line in body.member_lines() if line.split(",")[0].strip().lower() not in linked]


def seat_line(seat: BodyMember) -> str:
    """A linked member as the roadmap prints it: « Marie Dupont, directrice — Mairie de Ribérac (présidente) »
    (name, function, structure, role in the body); reads `seat.contact.actor` (select it)."""
    contact = seat.contact
    line = f"{contact.full_name}, {contact.function}" if contact.function else contact.full_name
    if contact.actor:
        line += f" — {contact.actor.name}"
    return f"{line} ({seat.function})" if seat.function else line


# --- The démarche's calendar -----------------------------------------------------------------------------------


class Phase(models.TextChoices):
    CONCEPTION = "conception", _("Conception de la feuille de route")
    VALIDATION = "validation", _("Validation politique")
    AMORCAGE = "amorcage", _("Amorçage des actions")


def phase_of_step(step: int | None) -> str:
    """Steps 1–5 build the roadmap, step 6 has it adopted, step 7 starts and evaluates the actions."""
    if step == 6:
        return Phase.VALIDATION
    if step == 7:
        return Phase.AMORCAGE
    return Phase.CONCEPTION


class Milestone(models.Model):
    """A dated point of the démarche: a step's span, or a milestone (a comité, a vote…)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="milestones")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="milestones")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.CONCEPTION)
    step = models.PositiveSmallIntegerField(
        _("étape de la méthode"), null=True, blank=True, choices=[(n, str(n)) for n in range(1, 8)]
    )
    title = models.CharField(_("intitulé"), max_length=250)
    planned_start = models.DateField(_("début prévu"), null=True, blank=True)
    planned_end = models.DateField(_("échéance prévue"))
    actual_date = models.DateField(_("date réelle (atteint le)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jalon")
        ordering = ["planned_end", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: datetime.date | None = None) -> bool:
        return self.actual_date is None and self.planned_end < (today or timezone.localdate())

    @property
    def uid(self) -> str:
        return f"milestone-{self.pk}@cap-partage"


# --- Meetings, invitations, attendance -------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    GROUPE_PROJET = "groupe_projet", _("Réunion du groupe projet")
    COMITE = "comite", _("Comité (pilotage, technique)")
    PLENIERE = "pleniere", _("Plénière")
    ATELIER = "atelier", _("Atelier")
    VISITE = "visite", _("Visite")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def held(self, now: datetime.datetime | None = None) -> MeetingQuerySet:
        return self.filter(cancelled=False, starts_at__lte=now or timezone.now())

    def upcoming(self, now: datetime.datetime | None = None) -> MeetingQuerySet:
        return self.filter(cancelled=False, starts_at__gt=now or timezone.now())


class Meeting(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meetings")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.GROUPE_PROJET)
    title = models.CharField(_("intitulé"), max_length=250)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    body = models.ForeignKey(
        GovernanceBody,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("instance de gouvernance"),
    )
    minutes = models.TextField(_("compte rendu"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True, help_text=_("Une décision par ligne."))
    cancelled = models.BooleanField(_("annulée"), default=False)
    checkin_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projectgroup:meeting_detail", kwargs={"meeting_pk": self.pk})

    @property
    def end(self) -> datetime.datetime:
        return self.ends_at or self.starts_at + datetime.timedelta(hours=2)

    @property
    def uid(self) -> str:
        return f"meeting-{self.pk}@cap-partage"

    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class AgendaItem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agenda_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("point à l'ordre du jour"), max_length=300)
    duration = models.PositiveIntegerField(_("durée (minutes)"), default=15, validators=[MinValueValidator(1)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Sans réponse")
    YES = "yes", _("Sera présent")
    NO = "no", _("Sera absent")
    MAYBE = "maybe", _("Peut-être")


class MeetingInvitation(models.Model):
    """An invitation of a contact to a meeting; the contact answers through the token of the e-mailed link."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meeting_invitations")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    answer = models.CharField(_("réponse"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The last reminder sent (projectgroup.tasks.send_meeting_reminder): at most one a day.
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invitation à une réunion")
        ordering = ["contact__full_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "contact"], name="projectgroup_invite_once")]

    def __str__(self) -> str:
        return f"{self.contact} · {self.meeting}"


class AttendanceSource(models.TextChoices):
    SHEET = "sheet", _("Feuille d'émargement")
    PHONE = "phone", _("Téléphone (QR code)")
    SCREEN = "screen", _("Saisie")


class Attendance(models.Model):
    """One person present at a meeting, however it was recorded (one list for the sheet and the phones)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="attendances")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendances")
    name = models.CharField(_("nom et prénom"), max_length=200)
    structure = models.CharField(_("structure"), max_length=250, blank=True)
    actor = models.ForeignKey(Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendances")
    source = models.CharField(max_length=10, choices=AttendanceSource.choices, default=AttendanceSource.SCREEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("présence")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "contact"], condition=Q(contact__isnull=False), name="projectgroup_present_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- Step 2: the shared definition ------------------------------------------------------------------------------


class DefinitionVersion(models.Model):
    """One version of the definition of digital inclusion the group works on; one may be adopted at a meeting."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="definition_versions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="definition_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("définition"))
    note = models.CharField(_("ce qui change"), max_length=300, blank=True)
    adopted_at = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_definitions",
        verbose_name=_("adoptée lors de la réunion"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version de la définition")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "number"], name="projectgroup_definition_number")]

    def __str__(self) -> str:
        return f"v{self.number} · {self.text[:80]}"

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at_id is not None


class ActorImport(models.Model):
    """A file of structures read but not yet imported: kept between the preview and the confirmation."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("En attente de confirmation")
        DONE = "done", _("Importé")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actor_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=250)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import d'acteurs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("projectgroup:actorimport_detail", kwargs={"actorimport_pk": self.pk})
