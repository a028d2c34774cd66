"""Documents of steps 1 and 2, produced by the document engine: the émargement sheet of a meeting, the key figures."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from fiches.document import provides_governance_members
from fiches.models import GovernanceBody
from projectgroup.keyfigures import key_figures
from projectgroup.models import BodyMember, Meeting, seat_line, unlinked_member_lines
from roadmap.models import Roadmap

# Empty lines left on the sheet for people who were not invited.
BLANK_LINES = 14  # with the invited people's lines, an A4 page of 27 pt rows


def attendance_sheet(meeting: Meeting, progress: Progress) -> Rendered:
    invitations = list(meeting.invitations.select_related("contact__actor").exclude(answer="no"))
    progress(30)
    html = render_to_string(
        "projectgroup/pdf/attendance_sheet.html",
        {
            "meeting": meeting,
            "invitations": invitations,
            "agenda": meeting.agenda_items.all(),
            "blank_lines": range(BLANK_LINES),
        },
    )
    progress(50)
    return html_to_pdf(html)


def key_figures_document(roadmap: Roadmap, progress: Progress) -> Rendered:
    figures = key_figures(roadmap)
    progress(40)
    html = render_to_string(
        "projectgroup/pdf/key_figures.html", {"roadmap": roadmap, "figures": figures, "today": timezone.localdate()}
    )
    progress(60)
    return html_to_pdf(html)


register(
    Exporter(
        key="meeting_sheet_pdf",
        label=_("Feuille d'émargement (PDF)"),
        model=Meeting,
        render=attendance_sheet,
        filename=lambda meeting: f"emargement-{slugify(meeting.title)}",
        roadmap_of=lambda meeting: meeting.roadmap,
        subject=lambda meeting: meeting.title,
        related=("roadmap", "body"),
    )
)
register(
    Exporter(
        key="key_figures_pdf",
        label=_("Chiffres clés du territoire (PDF)"),
        model=Roadmap,
        render=key_figures_document,
        filename=lambda roadmap: f"chiffres-cles-{slugify(roadmap.title)}",
        roadmap_of=lambda roadmap: roadmap,
        subject=lambda roadmap: roadmap.title,
        related=("territory",),
    )
)


@provides_governance_members
def governance_members(roadmap: Roadmap, bodies: list[GovernanceBody]) -> dict[int, list[str]]:
    """For the roadmap's documents (step 6): each body's members linked to the directory (name, function,
    structure, role in the body), then its free-text lines no linked member matches. One query, whatever the
    number of bodies and members; only the roadmap's organisation's seats and contacts."""
    seats = BodyMember.objects.filter(
        organization_id=roadmap.organization_id,
        contact__organization_id=roadmap.organization_id,
        body__in=bodies,
    ).select_related("contact__actor")
    prefetch_related_objects(bodies, Prefetch("contact_seats", queryset=seats))
    return {
        body.pk: [seat_line(seat) for seat in body.contact_seats.all()] + unlinked_member_lines(body) for body in bodies
    }
