"""Organisations (tenants), their members and invitations.

Every tenant-owned row elsewhere carries an `organization` key; views reach it only through
`request.tenant` (see tenancy.access), so another organisation's object is always a 404.
"""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.urls import get_resolver
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tenancy.paths import public_reverse

INVITATION_VALIDITY = timedelta(days=14)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address. Workshop participants are not users."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True)
    function = models.CharField(_("fonction"), max_length=150, blank=True)
    structure = models.CharField(_("structure"), max_length=200, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email

    def memberships_with_organizations(self) -> models.QuerySet[Membership]:
        return self.memberships.select_related("organization").order_by("organization__name")

    @property
    def is_former_member(self) -> bool:
        """A deleted account: kept as an anonymous row so that its contributions keep an author."""
        return self.email.endswith(FORMER_MEMBER_DOMAIN)


# Deleted accounts get an address in this reserved domain (RFC 2606), which nobody can receive mail at.
FORMER_MEMBER_DOMAIN = "@ancien-membre.invalid"


@functools.cache
def url_segments() -> frozenset[str]:
    """The first path segments the project's own pages use (connexion, atelier, static…): no organisation may take
    one as its slug, since `/<slug>/…` is where an organisation's pages live (tenancy.middleware)."""
    segments = {settings.STATIC_URL.strip("/"), settings.MEDIA_URL.strip("/"), "admin"}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if not route and hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            else:
                segments.add(route.split("/")[0])

    walk(get_resolver().url_patterns, "")
    return frozenset(s for s in segments if s and "<" not in s)


class Organization(models.Model):
    """A tenant: an intercommunalité, a département, a city or a support hub."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunalité")
        DEPARTEMENT = "departement", _("Département")
        COMMUNE = "commune", _("Commune")
        HUB = "hub", _("Hub / centre de ressources")
        AUTRE = "autre", _("Autre structure")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.EPCI)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            base = slugify(self.name)[:70] or "organisation"
            slug, n = base, 2
            while slug in url_segments() or Organization.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    ADMINISTRATEUR = "administrateur", _("Administrateur (référent technique)")
    CONTRIBUTEUR = "contributeur", _("Contributeur (groupe projet)")
    ANIMATEUR = "animateur", _("Animateur d'ateliers")
    LECTEUR = "lecteur", _("Lecteur (élu, lecture seule)")


ROLE_DESCRIPTIONS = {
    Role.ADMINISTRATEUR: _("Organise toute la démarche, modifie tout et gère les membres."),
    Role.CONTRIBUTEUR: _("Rédige et modifie les enjeux, défis, chantiers et actions."),
    Role.ANIMATEUR: _("Prépare et anime les ateliers, et met à jour leurs résultats."),
    Role.LECTEUR: _("Consulte la feuille de route et ses documents, sans rien modifier."),
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def administrators(self) -> MembershipQuerySet:
        return self.filter(role=Role.ADMINISTRATEUR)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTEUR)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_organization")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        """Everyone but the read-only élus may change the roadmap's content."""
        return self.role != Role.LECTEUR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATEUR

    @property
    def role_description(self) -> str:
        return str(ROLE_DESCRIPTIONS[Role(self.role)])


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, created_at__gte=timezone.now() - INVITATION_VALIDITY)


class Invitation(models.Model):
    """An administrateur invites someone by e-mail with a role; the link works without mail delivery."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTEUR)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail envoyé le"), null=True, blank=True)
    email_error = models.CharField(_("erreur d'envoi"), max_length=300, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def get_absolute_url(self) -> str:
        # For someone not yet a member: no organisation in the link.
        return public_reverse("tenancy:accept_invitation", kwargs={"token": self.token})

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - INVITATION_VALIDITY

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and not self.is_expired
