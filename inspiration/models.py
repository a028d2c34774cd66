"""Step 5 (s'inspirer): inspiring experiences, private to an organisation or published to the commons shared by
every organisation, what each territory drew from them (« je m'en inspire »), reports to the moderators, printable
recueils, and site visits.

The commons is the one place where an organisation reads rows of another: only through
`Experience.objects.visible_to(organization)` (its own experiences, and the published ones of others), and only the
fields of `Experience.PUBLISHED_FIELDS` for others. An unpublished experience of another organisation is a 404
everywhere (tests/inspiration/test_commons.py).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectgroup.models import Contact, Family, Meeting, new_token
from roadmap.models import Action, Chantier, Enjeu, Roadmap
from tenancy.models import Organization
from tenancy.ownership import OrganizationChecked

# The text search configuration created by migration 0002: French stemming, accents ignored (unaccent) where the
# server has the extension. Documents and queries are also folded by `inspiration_fold()` (same migration), so that
# « mediatheque » finds « médiathèque » on a server without unaccent too.
SEARCH_CONFIG = "french_unaccent"


class Theme(models.TextChoices):
    ACCOMPAGNEMENT = "accompagnement", _("Accompagnement et médiation")
    ACCES_DROITS = "acces_droits", _("Accès aux droits et démarches en ligne")
    ITINERANCE = "itinerance", _("Itinérance et proximité")
    EQUIPEMENT = "equipement", _("Équipement et reconditionnement")
    CONNEXION = "connexion", _("Connexion et couverture")
    AIDANTS = "aidants", _("Formation des aidants")
    TIERS_LIEUX = "tiers_lieux", _("Tiers-lieux et lieux ressources")
    GOUVERNANCE = "gouvernance", _("Gouvernance et coopération")
    REPERAGE = "reperage", _("Repérage des publics")
    EVALUATION = "evaluation", _("Évaluation et observation")


# The publics of the guide's « Panorama des acteurs », as step 1 (projectgroup) lists them for the actors.
Public = Family


class TerritoryKind(models.TextChoices):
    RURAL = "rural", _("Rural")
    PERIURBAIN = "periurbain", _("Périurbain")
    URBAIN = "urbain", _("Urbain")
    MONTAGNE = "montagne", _("Montagne")
    LITTORAL = "littoral", _("Littoral")
    OUTRE_MER = "outre_mer", _("Outre-mer")


class BudgetRange(models.TextChoices):
    UNDER_10K = "lt10k", _("Moins de 10 000 €")
    UNDER_50K = "10k50k", _("De 10 000 à 50 000 €")
    UNDER_200K = "50k200k", _("De 50 000 à 200 000 €")
    OVER_200K = "gt200k", _("Plus de 200 000 €")


class ExperienceQuerySet(models.QuerySet["Experience"]):
    def published(self) -> ExperienceQuerySet:
        return self.filter(published_at__isnull=False)

    def visible_to(self, organization: Organization) -> ExperienceQuerySet:
        """What a member of `organization` may open: its own experiences and the commons (published ones)."""
        return self.filter(Q(organization=organization) | Q(published_at__isnull=False))

    def with_inspired_count(self) -> ExperienceQuerySet:
        """`inspired_count`: how many territories other than the owner drew on each experience (one subquery)."""
        per_experience = (
            Inspiration.objects.filter(experience=OuterRef("pk"))
            .exclude(organization=OuterRef("organization"))
            .order_by()
            .values("experience")
            .annotate(n=Count("organization", distinct=True))
            .values("n")
        )
        return self.annotate(inspired_count=Coalesce(Subquery(per_experience), 0))


class Experience(models.Model):
    """An inspiring experience: what a territory did, for whom, with what results and means."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="experiences")
    title = models.CharField(_("titre"), max_length=200)
    territory_name = models.CharField(_("territoire"), max_length=200, help_text=_("Où l'expérience est menée."))
    territory_kind = models.CharField(_("type de territoire"), max_length=20, choices=TerritoryKind.choices, blank=True)
    lead_structure = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    description = models.TextField(_("description"), help_text=_("Ce qui a été fait, comment, avec qui."))
    publics = ArrayField(
        models.CharField(max_length=30, choices=Public.choices), default=list, blank=True, verbose_name=_("publics")
    )
    themes = ArrayField(
        models.CharField(max_length=30, choices=Theme.choices), default=list, blank=True, verbose_name=_("thèmes")
    )
    results = models.TextField(_("résultats"), blank=True, help_text=_("Ce qui a changé, chiffres à l'appui."))
    budget_range = models.CharField(_("budget"), max_length=10, choices=BudgetRange.choices, blank=True)
    contacts = models.TextField(
        _("contacts"), blank=True, help_text=_("Personnes à joindre ; publiées seulement si vous le choisissez.")
    )
    publish_contacts = models.BooleanField(_("publier les contacts dans le commun"), default=False)
    links = models.TextField(_("liens"), blank=True, help_text=_("Une adresse par ligne."))
    internal_notes = models.TextField(
        _("notes internes"), blank=True, help_text=_("Jamais publiées : visibles de votre organisation seulement.")
    )
    # The organisation's own spine: never shown to others.
    enjeux = models.ManyToManyField(Enjeu, blank=True, related_name="+", verbose_name=_("enjeux concernés"))
    chantiers = models.ManyToManyField(Chantier, blank=True, related_name="+", verbose_name=_("chantiers concernés"))
    # Published to the commons when set; a withdrawal (by the owner or a moderator) clears it.
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A hub publishes on behalf of a territory it accompanies (an organisation its publisher belongs to).
    on_behalf_of = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée pour le compte de"),
    )
    withdrawal_reason = models.TextField(_("motif du retrait"), blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExperienceQuerySet.as_manager()

    # What another organisation sees of a published experience.
    PUBLISHED_FIELDS = (
        "title",
        "territory_name",
        "territory_kind",
        "lead_structure",
        "description",
        "publics",
        "themes",
        "results",
        "budget_range",
        "links",
    )
    # Weighted into the search vector (A most).
    SEARCHED_FIELDS = (
        ("title", "A"),
        ("lead_structure", "B"),
        ("territory_name", "B"),
        ("description", "C"),
        ("results", "D"),
    )

    class Meta:
        verbose_name = _("expérience inspirante")
        verbose_name_plural = _("expériences inspirantes")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="experience_search_gin", fastupdate=False),
            models.Index(fields=["published_at"], name="experience_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Kept in the database's own terms (configuration and folding of migration 0002), in the same transaction.
        self.update_search_vector()

    def get_absolute_url(self) -> str:
        return reverse("inspiration:experience", kwargs={"experience_pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def theme_labels(self) -> list[str]:
        return [str(Theme(t).label) for t in self.themes if t in Theme.values]

    def public_labels(self) -> list[str]:
        return [str(Public(p).label) for p in self.publics if p in Public.values]

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip().startswith(("http://", "https://"))]

    def shown_to(self, organization: Organization) -> dict[str, Any]:
        """The fields a member of `organization` may read: all for the owner, PUBLISHED_FIELDS for others."""
        own = organization.pk == self.organization_id
        fields = {name: getattr(self, name) for name in self.PUBLISHED_FIELDS}
        if own or self.publish_contacts:
            fields["contacts"] = self.contacts
        if own:
            fields["internal_notes"] = self.internal_notes
        return fields

    def update_search_vector(self) -> None:
        update_search_vectors(Experience.objects.filter(pk=self.pk))


def search_document_sql() -> str:
    """The SQL expression of an experience's weighted search document (used on save and in the bench's bulk load)."""
    parts = [
        f"setweight(to_tsvector('{SEARCH_CONFIG}', inspiration_fold(coalesce({field}, ''))), '{weight}')"
        for field, weight in Experience.SEARCHED_FIELDS
    ]
    return " || ".join(parts)


def update_search_vectors(queryset: models.QuerySet[Experience]) -> None:
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Experience._meta.db_table} SET search_vector = {search_document_sql()} WHERE id = ANY(%s)",  # noqa: S608
            [ids],
        )


ALLOWED_UPLOADS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def experience_upload_path(instance: ExperienceDocument, filename: str) -> str:
    # Under the organisation's folder (documents/storage.py), with a name that does not come from the browser.
    extension = ALLOWED_UPLOADS.get(instance.content_type, os.path.splitext(filename)[1].lower()[:8])
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"tenants/{instance.organization_id}/inspiration/experience-{instance.experience_id}-{stamp}{extension}"


class ExperienceDocument(OrganizationChecked):
    """A file attached to an experience: shown to others only if marked public and the experience is published."""

    organization_parents = ("experience",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="experience_documents")
    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre du document"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=experience_upload_path)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(_("publier ce document dans le commun"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document d'une expérience")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Inspiration(OrganizationChecked):
    """« Je m'en inspire »: an organisation copied an experience into one of its chantiers or fiches actions.

    The link to the source stays here, on the step's side: the spine's models are not changed."""

    organization_parents = ("roadmap", "chantier", "action")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inspirations")
    # Kept when the owner deletes the experience: the chantier or fiche still says it came from elsewhere.
    experience = models.ForeignKey(
        Experience, on_delete=models.SET_NULL, null=True, blank=True, related_name="inspirations"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+")
    chantier = models.ForeignKey(Chantier, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspiration")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chantier__isnull=False) | Q(action__isnull=False), name="inspiration_has_a_target"
            )
        ]
        indexes = [models.Index(fields=["experience", "organization"], name="inspiration_experience_org")]

    def __str__(self) -> str:
        return str(self.action or self.chantier)

    @property
    def target_url(self) -> str:
        if self.action_id:
            return reverse("fiches:fiche", kwargs={"action_pk": self.action_id})
        return reverse("roadmap:chantier_list", kwargs={"roadmap_pk": self.roadmap_id})


class Report(models.Model):
    """A member of any organisation reports a published experience to the moderators."""

    class Reason(models.TextChoices):
        INAPPROPRIATE = "inappropriate", _("Contenu inapproprié")
        OUTDATED = "outdated", _("Information dépassée")
        DUPLICATE = "duplicate", _("Doublon d'une autre expérience")

    class Outcome(models.TextChoices):
        OPEN = "open", _("À traiter")
        DISMISSED = "dismissed", _("Classé sans suite")
        UNPUBLISHED = "unpublished", _("Expérience retirée du commun")

    # The reporting organisation: the row is theirs (the owner of the experience does not see who reported).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="experience_reports")
    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    comment = models.TextField(_("précisions"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signalement")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.experience}"


class Recueil(OrganizationChecked):
    """A printable selection of experiences for a workshop (PDF through the document engine)."""

    organization_parents = ("roadmap",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="recueils")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+", verbose_name=_("feuille de route"))
    title = models.CharField(_("titre du recueil"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    experiences = models.ManyToManyField(Experience, blank=True, related_name="+", verbose_name=_("expériences"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recueil d'expériences")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def selected(self) -> ExperienceQuerySet:
        """The selection as this organisation may still read it: a withdrawn experience of another drops out."""
        return Experience.objects.visible_to(self.organization).filter(pk__in=self.experiences.values("pk"))


class SiteVisit(OrganizationChecked):
    """A site visit (« visite sur site »): a meeting of kind « visite » of step 1 (projectgroup.Meeting: date, place,
    invitations and attendance, its minutes as the visit's report), with what this step adds to it."""

    organization_parents = ("meeting",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="site_visits")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="site_visit")
    objectives = models.TextField(
        _("pourquoi cette visite"), blank=True, help_text=_("Ce que le groupe projet veut y apprendre : les objectifs.")
    )
    host_territory = models.CharField(_("territoire qui accueille"), max_length=200)
    host_structure = models.CharField(_("structure qui accueille"), max_length=200, blank=True)
    programme = models.TextField(_("programme de la journée"), blank=True, help_text=_("Un moment par ligne."))
    key_points = models.TextField(_("points clés des témoignages"), blank=True)
    contacts_met = models.ManyToManyField(Contact, blank=True, related_name="+", verbose_name=_("contacts rencontrés"))
    experiences = models.ManyToManyField(
        Experience, blank=True, related_name="+", verbose_name=_("expériences découvertes")
    )
    feedback_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visite sur site")
        verbose_name_plural = _("visites sur site")
        ordering = ["-meeting__starts_at", "-pk"]

    def __str__(self) -> str:
        return str(self.meeting.title)

    def get_absolute_url(self) -> str:
        return reverse("inspiration:visit", kwargs={"sitevisit_pk": self.pk})

    def programme_lines(self) -> list[str]:
        return [line.strip() for line in self.programme.splitlines() if line.strip()]


class VisitFeedback(OrganizationChecked):
    """A participant's short feedback after the visit, given through the visit's link (no account needed)."""

    organization_parents = ("visit",)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="visit_feedbacks")
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="feedbacks")
    name = models.CharField(_("votre nom (facultatif)"), max_length=200, blank=True)
    usefulness = models.PositiveSmallIntegerField(
        _("utilité de la journée pour notre feuille de route"),
        choices=[(n, str(n)) for n in range(1, 6)],
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    takeaway = models.TextField(_("ce que je retiens"), blank=True)
    to_try = models.TextField(_("ce que j'aimerais essayer chez nous"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avis sur une visite")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name or str(_("Avis anonyme"))
