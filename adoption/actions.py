"""Adoption workflows: present, adopt with a frozen version, implement, reopen for a revision, publish. Each is
atomic; the version's PDF is sent to a worker once the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from adoption.gaps import adoption_gaps, fingerprint
from adoption.models import RoadmapVersion
from documents.actions import start_export
from documents.models import ExportJob
from documents.typography import french_date
from fiches.document import roadmap_document
from roadmap.models import Roadmap
from tenancy.models import User


class TransitionError(Exception):
    pass


@dataclass
class Adoption:
    adopted_by: str
    adopted_on: date
    deliberation_number: str
    # The fingerprint of the points to complete (adoption.gaps) that whoever adopts saw and confirmed; "" when
    # nothing was confirmed. None: not checked (a caller without a page, e.g. the demo data).
    confirmed_gaps: str | None = None


@transaction.atomic
def present(roadmap: Roadmap, presented_to: str, presented_on: date) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status not in (Roadmap.Status.BROUILLON, Roadmap.Status.PRESENTEE):
        raise TransitionError(_("Seule une feuille de route en brouillon peut être présentée."))
    roadmap.status = Roadmap.Status.PRESENTEE
    roadmap.presented_to, roadmap.presented_on = presented_to, presented_on
    roadmap.save()
    return roadmap


# How many times `adopt` computes the snapshot again when the roadmap was saved while it was being computed.
SNAPSHOT_ATTEMPTS = 3


def adopt(roadmap: Roadmap, adoption: Adoption, user: User | None) -> RoadmapVersion:
    """Adopt the roadmap and freeze this version (its content as JSON; its PDF is produced by a worker).

    The snapshot (diagnostic synthesis, maps, every fiche) takes seconds: it is computed before the roadmap is locked,
    and the lock is held only to check and write. Call it outside a transaction, or the lock lasts as long as it."""
    for _attempt in range(SNAPSHOT_ATTEMPTS):
        current = Roadmap.objects.select_related("organization", "territory").get(pk=roadmap.pk)
        _check_adoptable(current, adoption)  # before the costly snapshot, and again under the lock
        seen = current.updated_at
        # The document shows the adoption (status, assembly, deliberation): computed on an unsaved copy carrying it.
        _record_adoption(current, adoption)
        snapshot = roadmap_document(current)
        with transaction.atomic():
            locked = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
            _check_adoptable(locked, adoption)
            # The roadmap's own text (title, introduction, period…) is in the snapshot: if it was saved meanwhile,
            # compute again rather than refuse, since whoever adopts wants what the roadmap says now, and a retry
            # costs them nothing. Edits of enjeux or fiches do not touch this row and are not waited for: the
            # snapshot holds what was committed when it was read, as it did when computed under the lock.
            if locked.updated_at == seen:
                return _freeze(locked, adoption, snapshot, user)
    raise TransitionError(
        _("La feuille de route a été modifiée pendant son adoption. Rien n'a été enregistré : recommencez.")
    )


def _check_adoptable(roadmap: Roadmap, adoption: Adoption) -> None:
    if roadmap.status != Roadmap.Status.PRESENTEE:
        raise TransitionError(_("La feuille de route doit d'abord être présentée avant d'être adoptée."))
    if adoption.confirmed_gaps is not None:
        points = adoption_gaps(roadmap)
        if points and fingerprint(points) != adoption.confirmed_gaps:
            raise TransitionError(
                _(
                    "Des points restent à compléter (voir la liste) : adoptez après les avoir complétés, ou cochez "
                    "« Adopter malgré ces points ». Rien n'a été enregistré."
                )
            )
    if roadmap.presented_on and adoption.adopted_on < roadmap.presented_on:
        raise TransitionError(
            _(
                "La date d'adoption (%(adopted)s) précède la présentation devant %(body)s (%(presented)s) : une "
                "feuille de route est adoptée le jour de sa présentation ou après. Rien n'a été enregistré."
            )
            % {
                "adopted": french_date(adoption.adopted_on),
                "presented": french_date(roadmap.presented_on),
                "body": roadmap.presented_to,
            }
        )


def _record_adoption(roadmap: Roadmap, adoption: Adoption) -> None:
    roadmap.status = Roadmap.Status.ADOPTEE
    roadmap.adopted_by = adoption.adopted_by
    roadmap.adopted_on = adoption.adopted_on
    roadmap.deliberation_number = adoption.deliberation_number


def _freeze(roadmap: Roadmap, adoption: Adoption, snapshot: dict[str, Any], user: User | None) -> RoadmapVersion:
    """Under the roadmap's lock: record the adoption and the version, and send the PDF once committed."""
    _record_adoption(roadmap, adoption)
    roadmap.save()
    number = (roadmap.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = RoadmapVersion.objects.create(
        organization_id=roadmap.organization_id,
        roadmap=roadmap,
        number=number,
        adopted_by=adoption.adopted_by,
        adopted_on=adoption.adopted_on,
        deliberation_number=adoption.deliberation_number,
        snapshot=snapshot,
        created_by=user,
    )
    # Through the document engine: the job shows on the Documents and adoption pages, with a retry if it fails.
    start_export("version_pdf", version, user)
    if roadmap.is_public:
        start_export("version_public_pdf", version, user)
    return version


@transaction.atomic
def start_implementation(roadmap: Roadmap) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status != Roadmap.Status.ADOPTEE:
        raise TransitionError(_("Seule une feuille de route adoptée peut passer en mise en œuvre."))
    roadmap.status = Roadmap.Status.EN_MISE_EN_OEUVRE
    roadmap.save()
    return roadmap


# A revision starts from an adopted roadmap; a draft or a presented one is still being prepared.
REOPENABLE = (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)


@transaction.atomic
def reopen_draft(roadmap: Roadmap) -> Roadmap:
    """Work on the next version: the adopted versions stay frozen and readable."""
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status not in REOPENABLE:
        raise TransitionError(
            _("Seule une feuille de route adoptée ou en mise en œuvre peut être rouverte pour une révision.")
        )
    roadmap.status = Roadmap.Status.BROUILLON
    roadmap.presented_to, roadmap.presented_on = "", None
    roadmap.save()
    return roadmap


def set_public(roadmap: Roadmap, is_public: bool) -> None:
    """Publish (or withdraw) the roadmap's public page. Allowed at any status: the page shows the last adopted
    version, and answers 404 until there is one, so a team may opt in before the vote."""
    # An update of this one column: `updated_at` stays, as the page is not part of the roadmap's content.
    Roadmap.objects.filter(pk=roadmap.pk).update(is_public=is_public)
    if is_public:
        version = roadmap.versions.order_by("-number").first()
        if version is not None:
            ensure_public_pdf(version, None)


def ensure_public_pdf(version: RoadmapVersion, user: User | None) -> None:
    """Start the public PDF of a version (without contact details) unless it exists or one is under way or failed:
    a failed one waits for a member's retry on the Documents page, it is not restarted by every visitor."""
    if version.public_pdf:
        return
    jobs = ExportJob.objects.filter(organization_id=version.organization_id, kind="version_public_pdf")
    if not jobs.filter(object_id=version.pk).exists():
        start_export("version_public_pdf", version, user)
