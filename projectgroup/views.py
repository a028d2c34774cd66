"""Pages of steps 1 and 2 for the organisation's members: directory, groupe projet, calendar, meetings, definition,
key figures; and, at the end, the public pages (an invitee's answer, the check-in by QR code)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import segno
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.actions import start_export
from documents.csv_cells import spreadsheet_text
from documents.models import ExportJob
from fiches.forms import GovernanceBodyForm
from projectgroup import actions, ics, importers
from projectgroup.actions import Refused
from projectgroup.forms import (
    ActorForm,
    AdoptForm,
    AgendaItemForm,
    BodyMemberForm,
    CheckInForm,
    ContactForm,
    ContactImportForm,
    DefinitionForm,
    GroupMemberEditForm,
    GroupMemberForm,
    ImportUploadForm,
    InviteForm,
    MandateForm,
    MappingForm,
    MeetingForm,
    MilestoneForm,
    MinutesForm,
    ObjectiveForm,
    PlanStepsForm,
)
from projectgroup.keyfigures import key_figures
from projectgroup.models import (
    FAMILY_PROMPTS,
    ActorKind,
    AttendanceSource,
    BodyMember,
    Family,
    Mandate,
    Meeting,
    MeetingInvitation,
    Phase,
    Rsvp,
    unlinked_member_lines,
)
from roadmap.models import Roadmap
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required
from tenancy.paths import public_reverse

EXPORT_COLUMNS = (
    ("name", "nom"),
    ("kind", "type"),
    ("siret", "siret"),
    ("code_insee", "code_insee"),
    ("commune", "commune"),
    ("address", "adresse"),
    ("families", "publics"),
    ("tags", "etiquettes"),
    ("website", "site_web"),
    ("email", "courriel"),
    ("phone", "telephone"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
)


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


def _meeting(request: TenantRequest, meeting_pk: int) -> Meeting:
    return get_object_or_404(request.tenant.meetings.select_related("roadmap", "body"), pk=meeting_pk)


# --- Directory: actors --------------------------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def actor_list(request: TenantRequest) -> HttpResponse:
    form = ActorForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        actor = form.save(commit=False)
        actor.source = _("saisie")
        actor.save()
        messages.success(request, _("Structure « %(name)s » ajoutée.") % {"name": actor.name})
        return redirect("projectgroup:actor_list")
    actors = (
        request.tenant.actors.select_related("commune").annotate(contact_count=Count("contacts")).order_by("name", "pk")
    )
    query = request.GET.get("q", "").strip()
    family = request.GET.get("public", "")
    kind = request.GET.get("type", "")
    if query:
        actors = actors.filter(Q(name__icontains=query) | Q(tags__contains=[query]) | Q(commune__name__icontains=query))
    if family in Family.values:
        actors = actors.filter(families__contains=[family])
    if kind in ActorKind.values:
        actors = actors.filter(kind=kind)
    return render(
        request,
        "projectgroup/actor_list.html",
        {
            "actors": actors,
            "form": form,
            "families": Family.choices,
            "kinds": ActorKind.choices,
            "query": query,
            "family": family,
            "kind": kind,
        },
    )


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def actor_detail(request: TenantRequest, actor_pk: int) -> HttpResponse:
    actor = get_object_or_404(request.tenant.actors.select_related("commune"), pk=actor_pk)
    form = ActorForm(request.POST or None, instance=actor, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Structure enregistrée."))
        return redirect(actor)
    return render(
        request,
        "projectgroup/actor_detail.html",
        {"actor": actor, "form": form, "contacts": actor.contacts.all()},
    )


@editor_required
@require_POST
def actor_delete(request: TenantRequest, actor_pk: int) -> HttpResponse:
    actor = get_object_or_404(request.tenant.actors, pk=actor_pk)
    actor.delete()
    messages.success(request, _("Structure « %(name)s » supprimée.") % {"name": actor.name})
    return redirect("projectgroup:actor_list")


def _export_rows(request: TenantRequest) -> list[list[Any]]:
    rows = []
    labels = dict(Family.choices)
    for actor in request.tenant.actors.select_related("commune"):
        values = {
            "name": actor.name,
            "kind": actor.get_kind_display(),
            "siret": actor.siret,
            "code_insee": actor.commune.code if actor.commune else "",
            "commune": actor.commune.name if actor.commune else "",
            "address": actor.address,
            "families": "; ".join(str(labels[f]) for f in actor.families if f in labels),
            "tags": "; ".join(actor.tags),
            "website": actor.website,
            "email": actor.email,
            "phone": actor.phone,
            "latitude": "" if actor.latitude is None else actor.latitude,
            "longitude": "" if actor.longitude is None else actor.longitude,
        }
        rows.append([values[key] for key, _header in EXPORT_COLUMNS])
    return rows


@member_required
@require_safe
def actor_export(request: TenantRequest) -> HttpResponse:
    """The directory as CSV (`?format=csv`, the default) or Excel (`?format=xlsx`)."""
    if request.GET.get("format") == "xlsx":
        return _export_xlsx(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="annuaire-{request.tenant.slug}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 files with a BOM correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow([header for _key, header in EXPORT_COLUMNS])
    for row in _export_rows(request):
        writer.writerow([spreadsheet_text(v) for v in row])
    return response


def _export_xlsx(request: TenantRequest) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Annuaire"
    sheet.append([header for _key, header in EXPORT_COLUMNS])
    for row in _export_rows(request):
        sheet.append([spreadsheet_text(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="annuaire-{request.tenant.slug}.xlsx"'
    return response


@member_required
@require_safe
def panorama(request: TenantRequest) -> HttpResponse:
    """The panorama's publics, with the structures of the directory that serve each, and those not yet served."""
    actors = list(request.tenant.actors.only("pk", "organization_id", "name", "families"))
    rows = []
    for value, label in Family.choices:
        serving = [a for a in actors if value in a.families]
        rows.append({"value": value, "label": label, "actors": serving, "prompts": FAMILY_PROMPTS[value]})
    gaps = [r for r in rows if not r["actors"]]
    return render(request, "projectgroup/panorama.html", {"rows": rows, "gaps": gaps, "actor_count": len(actors)})


@member_required
@require_safe
def actor_map(request: TenantRequest) -> HttpResponse:
    """The interactive map in a frame (as the diagnostic's), the table of structures as its accessible equivalent,
    and the static image for print."""
    from diagnostics.maps import leaflet_available
    from projectgroup.maps import actors_map

    actors = list(request.tenant.actors.select_related("commune"))
    drawn = actors_map(request.tenant, actors)
    context = {"map": drawn, "actors": actors, "leaflet": leaflet_available()}
    return render(request, "projectgroup/actor_map.html", context)


@member_required
@require_safe
def actor_map_frame(request: TenantRequest) -> HttpResponse:
    """The interactive map alone, a folium document shown in a frame of the actors map page (its inline code gets
    the diagnostic map's relaxed policy, tenancy/headers.py)."""
    from projectgroup.maps import interactive_map

    actors = list(request.tenant.actors.select_related("commune"))
    return HttpResponse(interactive_map(request.tenant, actors))


# --- Directory: contacts ------------------------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def contact_list(request: TenantRequest) -> HttpResponse:
    form = ContactForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        actions.record_consent(contact, had_consent=False)
        contact.save()
        messages.success(request, _("Contact « %(name)s » ajouté.") % {"name": contact.full_name})
        return redirect("projectgroup:contact_list")
    contacts = request.tenant.contacts.select_related("actor")
    query = request.GET.get("q", "").strip()
    if query:
        contacts = contacts.filter(
            Q(full_name__icontains=query) | Q(actor__name__icontains=query) | Q(function__icontains=query)
        )
    return render(request, "projectgroup/contact_list.html", {"contacts": contacts, "form": form, "query": query})


@editor_required
@require_http_methods(["GET", "POST"])
def contact_import(request: TenantRequest) -> HttpResponse:
    """People from a CSV/XLSX file: all of them, or none with every faulty line named as Excel numbers it."""
    form = ContactImportForm(request.POST or None, request.FILES or None)
    faults: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = actions.import_contacts(request.tenant, upload, upload.name)
        except actions.ImportRefusedLines as refusal:
            form.add_error("file", str(refusal))
            faults = refusal.lines
        except importers.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            message = ngettext("%(count)d contact importé.", "%(count)d contacts importés.", done.contacts) % {
                "count": done.contacts
            }
            if done.structures:
                message += " " + ngettext(
                    "%(count)d structure ajoutée à l'annuaire.",
                    "%(count)d structures ajoutées à l'annuaire.",
                    done.structures,
                ) % {"count": done.structures}
            messages.success(request, message)
            return redirect("projectgroup:contact_list")
    return render(request, "projectgroup/contact_import.html", {"form": form, "faults": faults})


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def contact_detail(request: TenantRequest, contact_pk: int) -> HttpResponse:
    contact = get_object_or_404(request.tenant.contacts.select_related("actor", "user"), pk=contact_pk)
    had_consent = contact.consent
    form = ContactForm(request.POST or None, instance=contact, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        actions.record_consent(contact, had_consent)
        contact.save()
        messages.success(request, _("Contact enregistré."))
        return redirect(contact)
    seats = contact.seats.select_related("roadmap")
    attendances = contact.attendances.select_related("meeting").order_by("-meeting__starts_at")
    return render(
        request,
        "projectgroup/contact_detail.html",
        {"contact": contact, "form": form, "seats": seats, "attendances": attendances},
    )


@editor_required
@require_POST
def contact_erase(request: TenantRequest, contact_pk: int) -> HttpResponse:
    contact = get_object_or_404(request.tenant.contacts, pk=contact_pk)
    actions.erase_contact(contact)
    messages.success(request, _("Les données de cette personne ont été effacées."))
    return redirect("projectgroup:contact_list")


# --- Directory: import ----------------------------------------------------------------------------------------------


@editor_required
@require_http_methods(["GET", "POST"])
def actor_import(request: TenantRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actor_import = actions.start_import(request.tenant, request.user, upload, upload.name)  # type: ignore[arg-type]
        except importers.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect(actor_import)
    recent = request.tenant.actor_imports.all()[:5]
    return render(request, "projectgroup/import_form.html", {"form": form, "recent": recent})


@editor_required
@require_http_methods(["GET", "POST"])
def actorimport_detail(request: TenantRequest, actorimport_pk: int) -> HttpResponse:
    """The preview: the columns' mapping (GET to look again), the lines with their faults and duplicates; a POST
    imports everything or nothing."""
    actor_import = get_object_or_404(request.tenant.actor_imports, pk=actorimport_pk)
    data = request.POST if request.method == "POST" else (request.GET if "name" in request.GET else None)
    mapping_form = MappingForm(data, headers=actor_import.headers, initial=actor_import.mapping)
    mapping = mapping_form.mapping() if mapping_form.is_valid() else actor_import.mapping
    report: list[str] = []
    if request.method == "POST" and mapping_form.is_valid() and actor_import.status == actor_import.Status.PREVIEW:
        decisions = {
            int(key.removeprefix("ligne-")): value
            for key, value in request.POST.items()
            if key.startswith("ligne-")
            and key.removeprefix("ligne-").isdigit()
            and value in (actions.MERGE, actions.CREATE, actions.SKIP)
        }
        try:
            done = actions.apply_import(actor_import, mapping, decisions)
        except Refused as error:
            messages.error(request, _("Rien n'a été importé."))
            report = [str(error)]
        else:
            created = ngettext("%(count)d structure créée", "%(count)d structures créées", done.created_count) % {
                "count": done.created_count
            }
            merged = ngettext("%(count)d fusionnée", "%(count)d fusionnées", done.merged_count) % {
                "count": done.merged_count
            }
            messages.success(
                request, _("Import terminé : %(created)s, %(merged)s.") % {"created": created, "merged": merged}
            )
            return redirect("projectgroup:actor_list")
    lines = importers.analyse(request.tenant, actor_import.headers, actor_import.rows, mapping)
    faults = importers.error_report(lines)
    return render(
        request,
        "projectgroup/import_preview.html",
        {
            "actor_import": actor_import,
            "mapping_form": mapping_form,
            "lines": lines[:200],
            "line_count": len(lines),
            "faults": faults,
            "report": report,
            "duplicates": [line for line in lines if line.duplicate_of],
        },
    )


# --- Groupe projet, mandate, objectives, governance -----------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def group(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = GroupMemberForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = data["contact"] or actions.contact_for_user(request.tenant, data["user"])
        try:
            actions.add_group_member(roadmap, contact, data["role"], data["commitment"])
        except Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s rejoint le groupe projet.") % {"name": contact.full_name})
        return redirect("projectgroup:group", roadmap_pk=roadmap.pk)
    return _group_page(request, roadmap, form)


def _group_page(
    request: TenantRequest,
    roadmap: Roadmap,
    form: GroupMemberForm | None = None,
    mandate_form: MandateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The groupe projet's page; with a mandate form refused (saved meanwhile elsewhere), shown again as typed."""
    form = form or GroupMemberForm(organization=request.tenant)
    mandate = Mandate.objects.filter(roadmap=roadmap).first() or Mandate(roadmap=roadmap)
    now = timezone.now()
    bodies = roadmap.governance_bodies.prefetch_related(
        Prefetch("meetings", queryset=Meeting.objects.upcoming(now).order_by("starts_at"), to_attr="next_meetings"),
        Prefetch("contact_seats", queryset=BodyMember.objects.select_related("contact")),
    )
    for body in bodies:
        body.unlinked_lines = unlinked_member_lines(body)  # type: ignore[attr-defined]
    return render(
        request,
        "projectgroup/group.html",
        {
            "roadmap": roadmap,
            "members": roadmap.group_members.select_related("contact__actor", "contact__user"),
            "form": form,
            "mandate": mandate,
            "mandate_form": mandate_form or MandateForm(instance=mandate),
            "objectives": roadmap.group_objectives.all(),
            "objective_form": ObjectiveForm(),
            "bodies": bodies,
            "body_form": GovernanceBodyForm(roadmap=roadmap),
        },
        status=status,
    )


@editor_required
@require_POST
def mandate_edit(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    try:
        with transaction.atomic():
            # The roadmap's lock first: two first saves of the mandate meet here instead of creating it twice.
            Roadmap.objects.select_for_update().filter(pk=roadmap.pk).values_list("pk", flat=True).first()
            current = Mandate.objects.filter(roadmap=roadmap).first()
            form = MandateForm(request.POST, instance=current or Mandate(roadmap=roadmap, organization=request.tenant))
            if not form.is_valid():
                # Shown again as typed: a wrong date must not cost the text.
                messages.error(request, _("Le mandat n'a pas été enregistré : vérifiez la date."))
                return _group_page(request, roadmap, mandate_form=form, status=422)
            actions.guard_unchanged(form, current)
            form.save()
    except actions.ChangedMeanwhile as refusal:
        form.show_changed_meanwhile(refusal)  # nothing saved; everything typed comes back, the saved text beside
        return _group_page(request, roadmap, mandate_form=form, status=409)
    messages.success(request, _("Mandat enregistré."))
    return redirect("projectgroup:group", roadmap_pk=roadmap.pk)


@editor_required
@require_POST
def objective_add(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        objective = form.save(commit=False)
        objective.roadmap, objective.organization = roadmap, request.tenant
        objective.position = roadmap.group_objectives.count()
        objective.save()
    return redirect("projectgroup:group", roadmap_pk=roadmap.pk)


@editor_required
@require_POST
def objective_delete(request: TenantRequest, objective_pk: int) -> HttpResponse:
    objective = get_object_or_404(request.tenant.group_objectives, pk=objective_pk)
    objective.delete()
    return redirect("projectgroup:group", roadmap_pk=objective.roadmap_id)


@editor_required
@require_http_methods(["GET", "POST"])
def groupmember_edit(request: TenantRequest, groupmember_pk: int) -> HttpResponse:
    member = get_object_or_404(request.tenant.group_members.select_related("contact", "roadmap"), pk=groupmember_pk)
    form = GroupMemberEditForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Rôle enregistré."))
        return redirect("projectgroup:group", roadmap_pk=member.roadmap_id)
    return render(
        request, "projectgroup/groupmember_form.html", {"member": member, "form": form, "roadmap": member.roadmap}
    )


@editor_required
@require_POST
def groupmember_delete(request: TenantRequest, groupmember_pk: int) -> HttpResponse:
    member = get_object_or_404(request.tenant.group_members, pk=groupmember_pk)
    member.delete()
    return redirect("projectgroup:group", roadmap_pk=member.roadmap_id)


@read_or_edit_required
@require_http_methods(["GET", "HEAD", "POST"])
def body_members(request: TenantRequest, governancebody_pk: int) -> HttpResponse:
    """Who sits in a governance body, as contacts of the directory (add, remove); the body's own free-text lines
    (step 6) are shown beside them until each is linked."""
    seats = Prefetch("contact_seats", queryset=BodyMember.objects.select_related("contact__actor"))
    body = get_object_or_404(
        request.tenant.governance_bodies.select_related("roadmap").prefetch_related(seats), pk=governancebody_pk
    )
    form = BodyMemberForm(request.POST or None, organization=request.tenant)
    if request.method == "POST":
        if "remove" in request.POST:
            seat = get_object_or_404(BodyMember.objects.filter(body=body), pk=request.POST.get("remove") or 0)
            seat.delete()
            messages.success(request, _("%(name)s ne siège plus dans cette instance.") % {"name": seat.contact})
            return redirect("projectgroup:body_members", governancebody_pk=body.pk)
        if form.is_valid():
            contact = form.cleaned_data["contact"]
            try:
                actions.add_body_member(body, contact, form.cleaned_data["function"])
            except Refused as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("%(name)s siège dans « %(body)s ».") % {"name": contact, "body": body})
            return redirect("projectgroup:body_members", governancebody_pk=body.pk)
    return render(
        request,
        "projectgroup/body_members.html",
        {
            "body": body,
            "roadmap": body.roadmap,
            "seats": body.contact_seats.all(),
            "unlinked": unlinked_member_lines(body),
            "form": form,
        },
    )


@editor_required
@require_POST
def governance_add(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """A governance body of the roadmap: the same rows as the roadmap's governance (fiches), not a copy."""
    roadmap = _roadmap(request, roadmap_pk)
    form = GovernanceBodyForm(request.POST, roadmap=roadmap)
    if form.is_valid():
        body = form.save()
        messages.success(request, _("Instance « %(name)s » ajoutée.") % {"name": body.name})
    else:
        messages.error(request, _("L'instance n'a pas été ajoutée : donnez-lui un nom."))
    return redirect("projectgroup:group", roadmap_pk=roadmap.pk)


# --- Calendar ------------------------------------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def calendar(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        milestone = form.save(commit=False)
        milestone.roadmap, milestone.organization = roadmap, request.tenant
        milestone.save()
        messages.success(request, _("Jalon « %(title)s » ajouté.") % {"title": milestone.title})
        return redirect("projectgroup:calendar", roadmap_pk=roadmap.pk)
    today = timezone.localdate()
    milestones = list(roadmap.milestones.all())
    meetings = list(roadmap.meetings.filter(cancelled=False))
    phases = []
    for value, label in Phase.choices:
        rows = [m for m in milestones if m.phase == value]
        phases.append({"label": label, "milestones": [(m, m.is_late(today)) for m in rows]})
    late = [m for m in milestones if m.is_late(today)]
    timeline = _timeline(milestones, meetings, today)
    return render(
        request,
        "projectgroup/calendar.html",
        {
            "roadmap": roadmap,
            "phases": phases,
            "late": late,
            "form": form,
            "plan_form": PlanStepsForm(initial={"start": today, "weeks": 6}),
            "timeline": timeline,
            "meetings": meetings,
        },
    )


def _timeline(milestones: list[Any], meetings: list[Meeting], today: datetime.date) -> dict[str, Any] | None:
    """Bars placed on a span of time, as percentages (drawn by CSS classes, no inline style: see calendar.html)."""
    days = [m.planned_start or m.planned_end for m in milestones] + [m.planned_end for m in milestones]
    if not days:
        return None
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def at(day: datetime.date) -> int:
        return max(0, min(100, round((day - first).days * 100 / span)))

    bars = []
    for row, m in enumerate(milestones):
        start = at(m.planned_start or m.planned_end)
        width = max(at(m.planned_end) - start, 1)
        bars.append(
            {"milestone": m, "start": start, "width": width, "y": f"{row + 0.15:.2f}", "late": m.is_late(today)}
        )
    return {"first": first, "last": last, "bars": bars, "today": at(today) if first <= today <= last else None}


@editor_required
@require_POST
def plan_steps(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = PlanStepsForm(request.POST)
    if form.is_valid():
        created = actions.plan_steps(roadmap, form.cleaned_data["start"], form.cleaned_data["weeks"])
        messages.success(
            request,
            ngettext(
                "Calendrier proposé : %(count)d étape planifiée.",
                "Calendrier proposé : %(count)d étapes planifiées.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.error(request, _("Indiquez une date de début."))
    return redirect("projectgroup:calendar", roadmap_pk=roadmap.pk)


@editor_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: TenantRequest, milestone_pk: int) -> HttpResponse:
    milestone = get_object_or_404(request.tenant.milestones.select_related("roadmap"), pk=milestone_pk)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Jalon enregistré."))
        return redirect("projectgroup:calendar", roadmap_pk=milestone.roadmap_id)
    return render(
        request,
        "projectgroup/milestone_form.html",
        {"milestone": milestone, "form": form, "roadmap": milestone.roadmap},
    )


@editor_required
@require_POST
def milestone_delete(request: TenantRequest, milestone_pk: int) -> HttpResponse:
    milestone = get_object_or_404(request.tenant.milestones, pk=milestone_pk)
    milestone.delete()
    return redirect("projectgroup:calendar", roadmap_pk=milestone.roadmap_id)


@member_required
@require_safe
def calendar_ics(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    body = ics.demarche_calendar(roadmap.title, roadmap.milestones.all(), roadmap.meetings.filter(cancelled=False))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="demarche-{slugify(roadmap.title)}.ics"'
    return response


# --- Meetings ------------------------------------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def meeting_list(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = MeetingForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        messages.success(request, _("Réunion « %(title)s » ajoutée.") % {"title": meeting.title})
        return redirect(meeting)
    # Django leaves Meta.ordering out of queries with an aggregate: the chronological order is said here.
    meetings = (
        roadmap.meetings.select_related("body")
        .annotate(invited=Count("invitations", distinct=True), present=Count("attendances", distinct=True))
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    return render(
        request,
        "projectgroup/meeting_list.html",
        {
            "roadmap": roadmap,
            "upcoming": [m for m in meetings if m.starts_at > now],
            "past": [m for m in meetings if m.starts_at <= now][::-1],
            "form": form,
        },
    )


def checkin_url(request: TenantRequest, meeting: Meeting) -> str:
    return request.build_absolute_uri(public_reverse("projectgroup:checkin", kwargs={"token": meeting.checkin_token}))


@member_required
@require_safe
def meeting_detail(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, meeting_pk))


def _meeting_page(
    request: TenantRequest, meeting: Meeting, minutes_form: MinutesForm | None = None, status: int = 200
) -> HttpResponse:
    """A meeting's page; with a minutes form refused (saved meanwhile elsewhere), shown again as typed."""
    invitations = list(meeting.invitations.select_related("contact__actor"))
    answers = {value: 0 for value in Rsvp.values}
    for invitation in invitations:
        answers[invitation.answer] += 1
    return render(
        request,
        "projectgroup/meeting_detail.html",
        {
            "meeting": meeting,
            "roadmap": meeting.roadmap,
            "agenda": meeting.agenda_items.all(),
            "agenda_form": AgendaItemForm(),
            "invitations": invitations,
            "upcoming": not meeting.cancelled and meeting.starts_at > timezone.now(),
            "answers": [(label, answers[value]) for value, label in Rsvp.choices],
            "invite_form": InviteForm(organization=request.tenant),
            "attendances": meeting.attendances.select_related("contact", "actor"),
            "checkin_form": CheckInForm(),
            "minutes_form": minutes_form or MinutesForm(instance=meeting),
            "checkin_url": checkin_url(request, meeting),
            "jobs": list(ExportJob.objects.filter(organization=request.tenant).of(meeting)[:3]),
            "total_minutes": sum(item.duration for item in meeting.agenda_items.all()),
        },
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = MeetingForm(request.POST or None, instance=meeting, roadmap=meeting.roadmap)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réunion enregistrée."))
        return redirect(meeting)
    return render(
        request, "projectgroup/meeting_form.html", {"meeting": meeting, "form": form, "roadmap": meeting.roadmap}
    )


@editor_required
@require_POST
def meeting_agenda(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        item = form.save(commit=False)
        item.meeting, item.organization = meeting, request.tenant
        item.position = meeting.agenda_items.count()
        item.save()
    else:
        messages.error(request, _("Point non ajouté : donnez un intitulé et une durée en minutes."))
    return redirect(meeting)


@editor_required
@require_POST
def agendaitem_delete(request: TenantRequest, agendaitem_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.agenda_items.select_related("meeting"), pk=agendaitem_pk)
    item.delete()
    return redirect(item.meeting)


@editor_required
@require_POST
def meeting_invite(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = InviteForm(request.POST, organization=request.tenant)
    if not form.is_valid():
        messages.error(request, _("Choisissez au moins une personne à inviter."))
        return redirect(meeting)

    def answer_url(token: str) -> str:
        return request.build_absolute_uri(public_reverse("projectgroup:invitation_answer", kwargs={"token": token}))

    invited, left_out = actions.invite(meeting, list(form.cleaned_data["contacts"]), answer_url)
    if invited:
        messages.success(request, _("Invitations envoyées : %(count)d.") % {"count": invited})
    if left_out:
        messages.warning(
            request,
            _("Non invités (déjà invités, sans courriel, sans accord ou à ne plus contacter) : %(names)s.")
            % {"names": ", ".join(left_out)},
        )
    return redirect(meeting)


@editor_required
@require_POST
def meeting_remind(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    """A reminder by e-mail to the invitees who did not decline (once a day at most)."""
    meeting = _meeting(request, meeting_pk)

    def answer_url(token: str) -> str:
        return request.build_absolute_uri(public_reverse("projectgroup:invitation_answer", kwargs={"token": token}))

    try:
        queued = actions.remind(meeting, answer_url)
    except Refused as error:
        messages.error(request, str(error))
    else:
        if queued:
            messages.success(
                request,
                ngettext("Rappel envoyé à %(count)d invité.", "Rappel envoyé à %(count)d invités.", queued)
                % {"count": queued},
            )
        else:
            messages.info(
                request,
                _("Personne à relancer : chacun a décliné, ne peut pas être écrit, ou a eu un rappel aujourd'hui."),
            )
    return redirect(meeting)


@editor_required
@require_POST
def meeting_attendance(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    """Present, recorded from the screen: an invitee ticked, or a name typed (from the paper sheet)."""
    meeting = _meeting(request, meeting_pk)
    try:
        if request.POST.get("invitation", "").isdigit():
            invitation = get_object_or_404(
                meeting.invitations.select_related("contact__actor"), pk=request.POST["invitation"]
            )
            actions.check_in(meeting, contact=invitation.contact, source=AttendanceSource.SCREEN)
        else:
            form = CheckInForm(request.POST)
            if not form.is_valid():
                raise Refused(_("Indiquez le nom de la personne présente."))
            source = AttendanceSource.SHEET if request.POST.get("feuille") else AttendanceSource.SCREEN
            actions.check_in(
                meeting, name=form.cleaned_data["name"], structure=form.cleaned_data["structure"], source=source
            )
    except Refused as error:
        messages.error(request, str(error))
    return redirect(meeting)


@editor_required
@require_POST
def attendance_delete(request: TenantRequest, attendance_pk: int) -> HttpResponse:
    attendance = get_object_or_404(request.tenant.attendances.select_related("meeting"), pk=attendance_pk)
    attendance.delete()
    return redirect(attendance.meeting)


@editor_required
@require_POST
def meeting_minutes(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = MinutesForm(request.POST, instance=meeting)
    if form.is_valid():
        try:
            with transaction.atomic():
                actions.guard_unchanged(form, meeting)
                form.save()
        except actions.ChangedMeanwhile as refusal:
            form.show_changed_meanwhile(refusal)  # nothing saved; everything typed comes back, the saved text beside
            return _meeting_page(request, _meeting(request, meeting_pk), minutes_form=form, status=409)
        messages.success(request, _("Compte rendu enregistré."))
    return redirect(meeting)


@editor_required
@require_POST
def meeting_sheet(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    """The émargement sheet, produced by the document engine; every member downloads it from the page."""
    meeting = _meeting(request, meeting_pk)
    start_export("meeting_sheet_pdf", meeting, request.user)  # type: ignore[arg-type]
    messages.success(request, _("La feuille d'émargement est en préparation."))
    return redirect(meeting)


@member_required
@require_safe
def meeting_ics(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    response = HttpResponse(ics.meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunion-{slugify(meeting.title)}.ics"'
    return response


@member_required
@require_safe
def meeting_qr(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    buffer = io.BytesIO()
    segno.make(checkin_url(request, meeting), error="m").save(buffer, kind="svg", scale=8, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@member_required
@require_safe
def meeting_checkin_screen(request: TenantRequest, meeting_pk: int) -> HttpResponse:
    """Shown in the room: the QR code that opens the check-in on a phone."""
    meeting = _meeting(request, meeting_pk)
    return render(
        request,
        "projectgroup/checkin_screen.html",
        {"meeting": meeting, "checkin_url": checkin_url(request, meeting), "present": meeting.attendances.count()},
    )


# --- Step 2: definition and key figures -----------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def definition(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    versions = list(roadmap.definition_versions.select_related("adopted_at", "created_by"))
    latest = versions[0] if versions else None
    form = DefinitionForm(request.POST or None, initial={"text": latest.text if latest else ""})
    if request.method == "POST" and form.is_valid():
        if latest is not None and form.cleaned_data["text"].strip() == latest.text.strip():
            messages.error(request, _("Le texte est identique à la dernière version."))
        else:
            version = actions.new_definition_version(
                roadmap,
                form.cleaned_data["text"],
                form.cleaned_data["note"],
                request.user,  # type: ignore[arg-type]
            )
            messages.success(request, _("Version %(number)d enregistrée.") % {"number": version.number})
            return redirect("projectgroup:definition", roadmap_pk=roadmap.pk)
    tours = [
        (tour, tour.tour_summary())
        for tour in roadmap.workshops.filter(kind="tour_de_table").prefetch_related("groups__answers")
    ]
    return render(
        request,
        "projectgroup/definition.html",
        {
            "roadmap": roadmap,
            "versions": versions,
            "adopted": next((v for v in versions if v.is_adopted), None),
            "form": form,
            "adopt_form": AdoptForm(roadmap=roadmap),
            "tours": tours,
        },
    )


@editor_required
@require_POST
def definition_adopt(request: TenantRequest, definitionversion_pk: int) -> HttpResponse:
    version = get_object_or_404(request.tenant.definition_versions.select_related("roadmap"), pk=definitionversion_pk)
    form = AdoptForm(request.POST, roadmap=version.roadmap)
    if form.is_valid():
        try:
            actions.adopt_definition(version, form.cleaned_data["meeting"])
        except Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Version %(number)d adoptée.") % {"number": version.number})
    else:
        messages.error(request, _("Choisissez une réunion qui a eu lieu."))
    return redirect("projectgroup:definition", roadmap_pk=version.roadmap_id)


@member_required
@require_safe
def key_figures_page(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The territory's key figures for a projector (1280×720, no scroll), from the diagnostic."""
    roadmap = _roadmap(request, roadmap_pk)
    return render(
        request,
        "projectgroup/key_figures.html",
        {
            "roadmap": roadmap,
            "figures": key_figures(roadmap),
            "jobs": list(ExportJob.objects.filter(organization=request.tenant, kind="key_figures_pdf").of(roadmap)[:3]),
        },
    )


@editor_required
@require_POST
def key_figures_pdf(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    start_export("key_figures_pdf", roadmap, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Le PDF des chiffres clés est en préparation."))
    return redirect("projectgroup:key_figures", roadmap_pk=roadmap.pk)


# --- Public pages ----------------------------------------------------------------------------------------------------


def _invitation(token: str) -> MeetingInvitation | None:
    if not token or len(token) > 64:
        return None
    return MeetingInvitation.objects.select_related("meeting", "contact", "organization").filter(token=token).first()


@require_http_methods(["GET", "POST"])
def invitation_answer(request: Any, token: str) -> HttpResponse:
    """An invitee answers from the e-mailed link: the token is the credential, no account."""
    invitation = _invitation(token)
    if invitation is None:
        return render(request, "projectgroup/public_unknown.html", status=404)
    if request.method == "POST":
        try:
            invitation = actions.answer_invitation(invitation, request.POST.get("answer", ""))
        except Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Merci, votre réponse est enregistrée."))
        return redirect("projectgroup:invitation_answer", token=token)
    return render(
        request,
        "projectgroup/invitation_answer.html",
        {"invitation": invitation, "meeting": invitation.meeting, "choices": Rsvp.choices[1:]},
    )


CHECKIN_BEFORE = datetime.timedelta(hours=2)
CHECKIN_AFTER = datetime.timedelta(hours=6)


def checkin_open(meeting: Meeting, now: datetime.datetime | None = None) -> bool:
    """The QR code works on the day only: from two hours before the start to six hours after the end."""
    now = now or timezone.now()
    return not meeting.cancelled and meeting.starts_at - CHECKIN_BEFORE <= now <= meeting.end + CHECKIN_AFTER


@require_http_methods(["GET", "POST"])
def checkin(request: Any, token: str) -> HttpResponse:
    """The check-in on a phone (QR code shown in the room): find one's name among the invitees, or add oneself."""
    meeting = (
        Meeting.objects.select_related("organization").filter(checkin_token=token).first()
        if token and len(token) <= 64
        else None
    )
    if meeting is None:
        return render(request, "projectgroup/public_unknown.html", status=404)
    if not checkin_open(meeting):
        return render(request, "projectgroup/checkin_closed.html", {"meeting": meeting}, status=403)
    form = CheckInForm(request.POST or None)
    done = None
    if request.method == "POST":
        try:
            if request.POST.get("invitation", "").isdigit():
                invitation = get_object_or_404(
                    meeting.invitations.select_related("contact__actor"), pk=request.POST["invitation"]
                )
                done = actions.check_in(meeting, contact=invitation.contact)
            elif form.is_valid():
                done = actions.check_in(
                    meeting, name=form.cleaned_data["name"], structure=form.cleaned_data["structure"]
                )
        except Refused as error:
            form.add_error(None, str(error))
        if done is not None:
            return render(request, "projectgroup/checkin_done.html", {"meeting": meeting, "attendance": done})
    present = set(meeting.attendances.exclude(contact=None).values_list("contact_id", flat=True))
    invitees = [i for i in meeting.invitations.select_related("contact__actor") if i.contact_id not in present]
    return render(request, "projectgroup/checkin.html", {"meeting": meeting, "invitees": invitees, "form": form})
