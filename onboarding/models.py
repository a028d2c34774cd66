"""A territory's request to join the service, decided by an operator."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization


class JoinRequest(models.Model):
    """Someone asks an account for their organisation; an operator (staff) validates or refuses it with a reason.

    On validation the organisation is created and the requester invited as its first administrateur.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Validée")
        REFUSED = "refused", _("Refusée")

    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunalité (EPCI)")
        COMMUNE = "commune", _("Commune")
        DEPARTEMENT = "departement", _("Département")
        HUB = "hub", _("Hub / centre de ressources")
        ASSOCIATION = "association", _("Association")

    organization_name = models.CharField(_("nom de l'organisation"), max_length=200)
    kind = models.CharField(_("type d'organisation"), max_length=20, choices=Kind.choices)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, help_text=_("9 chiffres, si l'organisation en a un.")
    )
    full_name = models.CharField(_("vos nom et prénom"), max_length=150)
    function = models.CharField(_("votre fonction"), max_length=150)
    email = models.EmailField(_("votre adresse e-mail professionnelle"))
    message = models.TextField(_("votre projet en quelques mots"), blank=True, max_length=2000)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("motif de la décision"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("organisation créée"),
    )
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("demande d'accès")
        verbose_name_plural = _("demandes d'accès")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.email})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def organization_kind(self) -> str:
        """The Organization kind this request's kind maps to (an association is « autre structure »)."""
        mapping = {
            self.Kind.EPCI: Organization.Kind.EPCI,
            self.Kind.COMMUNE: Organization.Kind.COMMUNE,
            self.Kind.DEPARTEMENT: Organization.Kind.DEPARTEMENT,
            self.Kind.HUB: Organization.Kind.HUB,
        }
        return str(mapping.get(self.Kind(self.kind), Organization.Kind.AUTRE))
