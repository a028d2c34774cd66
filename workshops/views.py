"""Animator pages (members of the tenant) and the projector; the participants' phone pages are in phone_views."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import segno
from django.contrib import messages
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.actions import start_export
from documents.models import ExportJob
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required
from tenancy.paths import public_reverse
from workshops import actions
from workshops.actions import Refused
from workshops.forms import WorkshopForm
from workshops.models import (
    Item,
    Kind,
    Maitrise,
    MergeProposal,
    Placement,
    Stage,
    Workshop,
    WorkshopGroup,
    top_items,
)

# --- Lookups, always from the tenant ------------------------------------------------------------


def _workshop(request: TenantRequest, workshop_pk: int) -> Workshop:
    return get_object_or_404(request.tenant.workshops.select_related("roadmap"), pk=workshop_pk)


def _group(request: TenantRequest, workshopgroup_pk: int) -> WorkshopGroup:
    return get_object_or_404(request.tenant.workshop_groups.select_related("workshop__roadmap"), pk=workshopgroup_pk)


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


# --- Sessions ---------------------------------------------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def workshop_list(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)
    template = None
    if request.GET.get("modele", "").isdigit():
        template = request.tenant.workshops.filter(pk=request.GET["modele"]).first()
    form = WorkshopForm(request.POST or None, roadmap=roadmap, instance=None)
    if request.method == "POST" and form.is_valid():
        workshop = actions.create_workshop(form.save(commit=False), form.cleaned_data["groups"])
        messages.success(request, _("Atelier « %(title)s » préparé.") % {"title": workshop.title})
        return redirect(workshop)
    if template is not None and request.method == "GET":
        actions_copy = {f: getattr(template, f) for f in WorkshopForm.Meta.fields if f not in {"date", "is_template"}}
        form = WorkshopForm(initial=actions_copy | {"groups": template.groups.count() or 1}, roadmap=roadmap)
    workshops = roadmap.workshops.annotate(group_count=Count("groups")).order_by("-date", "-pk")
    templates = [w for w in workshops if w.is_template]
    return render(
        request,
        "workshops/workshop_list.html",
        {"roadmap": roadmap, "workshops": workshops, "templates": templates, "form": form},
    )


@member_required
@require_safe
def workshop_detail(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    groups = list(workshop.groups.annotate(participant_count=Count("participants")))
    # One query for the live items of every group: their tops, and the items an enjeu may come from.
    live = Item.objects.filter(group__workshop=workshop).with_points_by_group()
    top_by_group = [(group, top_items(live.get(group.pk, []))) for group in groups]
    origins = workshop.enjeu_origins.select_related("enjeu").prefetch_related("items")
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "workshop": workshop,
            "roadmap": workshop.roadmap,
            "top_by_group": top_by_group,
            "origins": origins,
            "items": [(group, item) for group in groups for item in live.get(group.pk, [])],
            "jobs": list(ExportJob.objects.filter(organization=request.tenant).of(workshop)[:3]),
        },
    )


@editor_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    form = WorkshopForm(request.POST or None, instance=workshop, roadmap=workshop.roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_workshop(workshop, {name: form.cleaned_data[name] for name in form.fields})
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Atelier enregistré."))
            return redirect(workshop)
    return render(
        request, "workshops/workshop_form.html", {"form": form, "workshop": workshop, "roadmap": workshop.roadmap}
    )


@editor_required
@require_POST
def workshop_duplicate(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    copy = actions.duplicate(workshop)
    messages.success(request, _("Nouvel atelier préparé à partir de « %(title)s ».") % {"title": workshop.title})
    return redirect(reverse("workshops:workshop_edit", kwargs={"workshop_pk": copy.pk}))


@editor_required
@require_POST
def workshop_add_group(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    group = actions.add_group(workshop, request.POST.get("name", ""))
    messages.success(request, _("%(name)s ajouté : code %(code)s.") % {"name": group.name, "code": group.code})
    return redirect(workshop)


@editor_required
@require_POST
def workshop_synthesis(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    actions.write_synthesis(workshop, request.POST.get("synthesis", ""))
    messages.success(request, _("Synthèse à chaud enregistrée."))
    return redirect(workshop)


@editor_required
@require_POST
def workshop_enjeu(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    items = Item.objects.filter(group__workshop=workshop, pk__in=_ints(request.POST.getlist("items"))).select_related(
        "group"
    )
    try:
        enjeu = actions.create_enjeu(
            workshop, request.POST.get("question", ""), items, request.POST.get("description", "")
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Enjeu « %(q)s » ajouté à la feuille de route.") % {"q": enjeu.question})
    return redirect(workshop)


@member_required
@require_safe
def workshop_plenary(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    """The groups' results side by side for the plenary restitution (projected)."""
    workshop = _workshop(request, workshop_pk)
    groups = list(workshop.groups.all())
    tops = Item.objects.filter(group__workshop=workshop).tops_by_group()
    columns = [(group, tops.get(group.pk, [])) for group in groups]
    return render(request, "workshops/plenary.html", {"workshop": workshop, "columns": columns})


# --- Exports ----------------------------------------------------------------------------------------


def _export_rows(workshop: Workshop) -> list[dict[str, Any]]:
    """One row per accepted item, group by group in order of entry; the same few queries for any workshop."""
    rows = []
    in_workshop = Item.objects.filter(group__workshop=workshop)
    by_group = in_workshop.with_points_by_group()
    live = {i.pk: i for items in by_group.values() for i in items}
    ranks = {i.pk: i.rank for items in by_group.values() for i in top_items(items)}
    accepted: dict[int, list[Item]] = {}
    for item in (
        in_workshop.filter(status=Item.Status.ACCEPTED)
        .select_related("merged_into")
        .prefetch_related("placements")
        .order_by("number")
    ):
        accepted.setdefault(item.group_id, []).append(item)
    for group in workshop.groups.all():
        for item in accepted.get(group.pk, []):
            scored = live.get(item.pk)
            placements = {p.moment: p for p in item.placements.all()}
            row: dict[str, Any] = {
                "groupe": group.name,
                "numero": item.number,
                "item": item.label,
                "etat": _("barré")
                if item.struck
                else (_("fusionné dans n°%(n)s") % {"n": item.merged_into.number} if item.merged_into else ""),
                "points_main_levee": item.paper_points,
                "total": scored.total if scored else "",
                "rang_top10": ranks.get(item.pk, ""),
            }
            for moment, label in workshop.moments:
                placement = placements.get(moment)
                row[f"{label} — {workshop.x_label}"] = placement.get_x_display() if placement else ""
                row[f"{label} — pourquoi"] = placement.reason if placement else ""
                if workshop.kind == Kind.DIX_ANS:
                    row[f"{label} — que faudrait-il"] = placement.what_it_takes if placement else ""
            rows.append(row)
    return rows


def _csv_cell(value: Any) -> Any:
    """Texts typed by participants (items, reasons) are never read by a spreadsheet as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@member_required
@require_safe
def workshop_csv(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    rows = _export_rows(workshop)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="atelier-{slugify(workshop.title)}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly with a BOM
    header = list(rows[0]) if rows else ["groupe", "numero", "item", "etat", "points_main_levee", "total", "rang_top10"]
    writer = csv.DictWriter(response, fieldnames=header, delimiter=";")
    writer.writeheader()
    writer.writerows({key: _csv_cell(value) for key, value in row.items()} for row in rows)
    return response


@editor_required
@require_POST
def workshop_pdf(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    """The results for the participants, produced by a worker (documents); the workshop page shows its progress."""
    workshop = _workshop(request, workshop_pk)
    start_export("workshop_pdf", workshop, request.user)  # type: ignore[arg-type]
    return redirect(f"{reverse('workshops:workshop_detail', kwargs={'workshop_pk': workshop.pk})}#documents")


# --- One group live: presenter, projector, actions ----------------------------------------------------


def _live_context(group: WorkshopGroup) -> dict[str, Any]:
    items = group.items_with_points()
    participants = list(group.participants.order_by("created_at"))
    voters = [p for p in participants if p.has_voted]
    top = top_items(items) if group.stage in (Stage.RANKING, Stage.MATRIX, Stage.DONE) else []
    placements = Placement.objects.filter(item__group=group).select_related("item")
    max_total = max([getattr(i, "total", 0) for i in items] + [1])
    posts = []
    scored = {i.pk: i for i in items}
    stacked: dict[tuple[str, int], int] = {}
    for placement in sorted(placements, key=lambda p: (p.item_id, p.moment)):
        item = scored.get(placement.item_id)
        if item is None:
            continue
        height = round(88 * item.total / max_total)  # the top post-it stays inside the frame
        # Post-its at the same height in the same column are stacked downwards so none hides another.
        rank = stacked[placement.x, height] = stacked.get((placement.x, height), -1) + 1
        posts.append({"placement": placement, "item": item, "height": height, "offset": max(0, height - 7 * rank)})
    return {
        "group": group,
        "workshop": group.workshop,
        "items": items,
        "proposed": list(group.items.filter(status=Item.Status.PROPOSED).order_by("created_at")),
        "participants": participants,
        "voters": voters,
        "top": top,
        "top_ids": {i.pk for i in top},
        "merges": list(group.merges.filter(status=MergeProposal.Status.OPEN).prefetch_related("items")),
        "posts": posts,
        "maitrise": Maitrise.choices,
        "answers": list(group.answers.all()) if group.workshop.kind == Kind.TOUR_DE_TABLE else [],
        "two_columns": len(items) > 10,
        "stages": group.workshop.stage_order,
        "state": actions.live_state(group),
    }


def _join_url(request: TenantRequest, group: WorkshopGroup) -> str:
    return request.build_absolute_uri(public_reverse("workshops:participant_page", kwargs={"code": group.code}))


@member_required
@require_safe
def workshopgroup_projector(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    """What the room sees (1280×720): large type, no controls; keyboard shortcuts for editors."""
    group = _group(request, workshopgroup_pk)
    context = _live_context(group)
    if request.htmx:
        return render(request, "workshops/projector.html#live", context)
    join_url = _join_url(request, group)
    qr_svg = segno.make(join_url, error="m").svg_inline(scale=6, dark="#111", light="#fff", border=2, omitsize=True)
    return render(request, "workshops/projector.html", context | {"join_url": join_url, "qr_svg": qr_svg})


@read_or_edit_required
@require_safe
def workshopgroup_presenter(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    """The animator's laptop: every control, who has voted, proposals to accept, the paper mode."""
    group = _group(request, workshopgroup_pk)
    context = _live_context(group)
    if request.htmx:
        return render(request, "workshops/presenter.html#status", context)
    reverse_order = request.GET.get("ordre") == "inverse"
    return render(
        request,
        "workshops/presenter.html",
        context
        | {
            "join_url": _join_url(request, group),
            "paper_items": list(reversed(context["items"])) if reverse_order else context["items"],
            "reverse_order": reverse_order,
            "roadmap": group.workshop.roadmap,
        },
    )


def live_version(state: Mapping[str, Any]) -> str:
    """Changes whenever the projector's content changes: the group's own version, joins and ballots."""
    last = state["last"].timestamp() if state["last"] else 0
    return f"{state['version']}-{state['n']}-{last}"


@member_required
@require_safe
def workshopgroup_version(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    """Polled by the projector and the presenter view: one query."""
    groups = request.tenant.workshop_groups.filter(pk=workshopgroup_pk)
    state = groups.values("pk", "version").annotate(n=Count("participants"), last=Max("participants__voted_at")).first()
    if state is None:
        raise Http404
    return JsonResponse({"version": live_version(state)})


STAGE_ACTIONS: dict[str, Any] = {
    "next": lambda g, seen: actions.step_stage(g, +1, seen),
    "previous": lambda g, seen: actions.step_stage(g, -1, seen),
    "vote": actions.toggle_vote,
    "reveal": actions.toggle_reveal,
    "timer": actions.toggle_timer,
    "timer_reset": actions.reset_timer,
    "strike": actions.strike_zero_items,
}


SEEN_BY_ACTION = {
    "stage": {"stage"},
    "next": {"stage"},
    "previous": {"stage"},
    "vote": {"stage", "voting_open"},
    "reveal": {"revealed"},
    "timer": {"timer_running"},
}


def _done(request: TenantRequest, group: WorkshopGroup, error: str | None = None) -> HttpResponse:
    """After an animator's action: JSON for the keyboard shortcuts, else back to the presenter view."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": error is None, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    # `next` brings the animator back to the page they acted from (projector or presenter), never off the site.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = group.get_absolute_url()
    return redirect(target)


@editor_required
@require_POST
def workshopgroup_action(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    action = STAGE_ACTIONS.get(request.POST.get("action", ""))
    stage = request.POST.get("stage")
    # The state the animator's screen showed (data-state of the live fragment, or hidden fields of the forms).
    # Only what the action depends on is compared: a timer started by a colleague doesn't block a reveal.
    relevant = SEEN_BY_ACTION.get("stage" if stage else request.POST.get("action", ""), set())
    seen = {key: request.POST.get(f"seen_{key}", "") for key in relevant if f"seen_{key}" in request.POST}
    try:
        if stage:
            actions.set_stage(group, stage, seen)
        elif action is None:
            raise Refused(_("Action inconnue."))
        else:
            action(group, seen)
    except Refused as refusal:
        return _done(request, group, refusal.message)
    return _done(request, group)


@editor_required
@require_POST
def workshopgroup_add_item(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    try:
        if group.workshop.kind == Kind.TOUR_DE_TABLE:
            actions.add_answer(group, request.POST.get("text", ""), author=request.POST.get("author", ""))
        else:
            actions.add_item(group, request.POST.get("label", ""))
    except Refused as refusal:
        return _done(request, group, refusal.message)
    return _done(request, group)


@editor_required
@require_POST
def workshopgroup_paper(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    totals: dict[int, int] = {}
    try:
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("paper-") and value.strip() != "":
                if not value.strip().isdigit():
                    raise Refused(_("Un total de points est un nombre entier positif."))
                totals[int(key.removeprefix("paper-"))] = int(value)
        actions.set_paper_points(group, totals)
    except (Refused, ValueError) as refusal:
        return _done(request, group, getattr(refusal, "message", _("Saisie invalide.")))
    messages.success(request, _("Points à main levée enregistrés."))
    return _done(request, group)


@editor_required
@require_POST
def workshopgroup_merge(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    items = group.items.filter(pk__in=_ints(request.POST.getlist("items")))
    try:
        actions.propose_merge(group, items, request.POST.get("label", ""))
    except Refused as refusal:
        return _done(request, group, refusal.message)
    return _done(request, group)


@editor_required
@require_POST
def mergeproposal_decide(request: TenantRequest, mergeproposal_pk: int) -> HttpResponse:
    proposal = get_object_or_404(request.tenant.workshop_merges.select_related("group"), pk=mergeproposal_pk)
    try:
        if request.POST.get("decision") == "confirm":
            actions.confirm_merge(proposal)
        else:
            actions.object_to_merge(proposal, request.POST.get("who") or _("l'animateur"))
    except Refused as refusal:
        return _done(request, proposal.group, refusal.message)
    return _done(request, proposal.group)


@editor_required
@require_POST
def item_edit(request: TenantRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.workshop_items.select_related("group__workshop"), pk=item_pk)
    try:
        match request.POST.get("do"):
            case "accept":
                actions.accept_item(item, request.POST.get("label"))
            case "delete":
                actions.delete_item(item)
            case _:
                actions.reword_item(item, request.POST.get("label", ""))
    except Refused as refusal:
        return _done(request, item.group, refusal.message)
    return _done(request, item.group)


@editor_required
@require_POST
def item_place(request: TenantRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.workshop_items.select_related("group__workshop"), pk=item_pk)
    # Moving a post-it by drag-and-drop sends its column only: the reasons already written stay (None).
    postits = {
        moment: actions.PostIt(
            x=request.POST[f"{moment}-x"],
            reason=request.POST.get(f"{moment}-reason"),
            what_it_takes=request.POST.get(f"{moment}-what"),
        )
        for moment, _label in item.group.workshop.moments
        if request.POST.get(f"{moment}-x")
    }
    try:
        actions.place_postits(item, postits)
    except Refused as refusal:
        return _done(request, item.group, refusal.message)
    return _done(request, item.group)
