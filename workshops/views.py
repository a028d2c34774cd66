"""Animator pages (members of the tenant) and the projector; the participants' phone pages are in phone_views."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import segno
from django.contrib import messages
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.actions import start_export
from documents.csv_cells import spreadsheet_text
from documents.models import ExportJob
from tenancy.access import TenantRequest, member_required, read_or_workshop_required, workshop_required
from tenancy.paths import public_reverse
from workshops import actions
from workshops.actions import Refused
from workshops.forms import WorkshopForm
from workshops.models import (
    MERGE_COUNTDOWN_SECONDS,
    TOP_SIZE,
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


def _back(request: TenantRequest, default: str) -> str:
    """The page the form was sent from (`next`, e.g. the plenary), never off the site."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") else default


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isascii() and v.strip().isdigit()]


# --- Sessions ---------------------------------------------------------------------------------------


@read_or_workshop_required
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
    groups = list(workshop.groups.annotate(participant_count=Count("participants")).order_by("name", "pk"))
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


@workshop_required
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


@workshop_required
@require_POST
def workshop_duplicate(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    copy = actions.duplicate(workshop)
    messages.success(request, _("Nouvel atelier préparé à partir de « %(title)s ».") % {"title": workshop.title})
    return redirect(reverse("workshops:workshop_edit", kwargs={"workshop_pk": copy.pk}))


@workshop_required
@require_POST
def workshop_add_group(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    group = actions.add_group(workshop, request.POST.get("name", ""))
    messages.success(request, _("%(name)s ajouté : code %(code)s.") % {"name": group.name, "code": group.code})
    return redirect(workshop)


@workshop_required
@require_POST
def workshop_synthesis(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    workshop = _workshop(request, workshop_pk)
    actions.write_synthesis(workshop, request.POST.get("synthesis", ""))
    messages.success(request, _("Synthèse à chaud enregistrée."))
    return redirect(_back(request, workshop.get_absolute_url()))


@workshop_required
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
    return redirect(_back(request, workshop.get_absolute_url()))


@member_required
@require_safe
def workshop_plenary(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    """The groups' results side by side for the plenary restitution (projected, live): their top 10s, or their
    matrices (?vue=matrices); below the wall, the observer's synthesis and the enjeux drafted from the items."""
    workshop = _workshop(request, workshop_pk)
    groups = list(workshop.groups.all())
    by_group = Item.objects.filter(group__workshop=workshop).with_points_by_group()
    matrices = request.GET.get("vue") == "matrices"
    placements: dict[int, list[Placement]] = {}
    if matrices:
        for placement in Placement.objects.filter(item__group__workshop=workshop).select_related("item"):
            placements.setdefault(placement.item.group_id, []).append(placement)
    columns: list[dict[str, Any]] = []
    for group in groups:
        items = by_group.get(group.pk, [])
        top = top_items(items)
        posts, ticks = _matrix(items, placements.get(group.pk, [])) if matrices else ([], [])
        piles, legend = _piles(posts), _legend(posts)
        columns.append(
            {"group": group, "top": top, "rows": top_rows(top), "piles": piles, "ticks": ticks, "legend": legend}
        )
    origins = workshop.enjeu_origins.select_related("enjeu").prefetch_related("items")
    context = {
        "workshop": workshop,
        "columns": columns,
        "matrices": matrices,
        "maitrise": Maitrise.choices,
        "origins": origins,
        "top_choices": [(c["group"], item) for c in columns for item in c["top"]],
    }
    if request.htmx:
        return render(request, "workshops/plenary.html#wall", context)
    return render(request, "workshops/plenary.html", context)


@member_required
@require_safe
def workshop_plenary_version(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    """Polled by the plenary wall: the session, then one query over all its groups."""
    if not request.tenant.workshops.filter(pk=workshop_pk).exists():
        raise Http404
    state = WorkshopGroup.objects.filter(workshop_id=workshop_pk).aggregate(
        groups=Count("pk", distinct=True),
        version=Sum("version"),
        n=Count("participants"),
        last=Max("participants__voted_at"),
    )
    last = state["last"].timestamp() if state["last"] else 0
    return JsonResponse({"version": f"{state['groups']}-{state['version']}-{state['n']}-{last}"})


# --- Exports ----------------------------------------------------------------------------------------


def _export_rows(workshop: Workshop) -> list[dict[str, Any]]:
    """One row per accepted item, group by group in order of entry; the same few queries for any workshop."""
    rows = []
    in_workshop = Item.objects.filter(group__workshop=workshop)
    by_group = in_workshop.with_points_by_group()
    live = {i.pk: i for items in by_group.values() for i in items}
    ranks = {i.pk: i.rank for items in by_group.values() for i in top_items(items)}
    accepted: dict[int, list[Any]] = {}
    for item in (
        in_workshop.filter(status=Item.Status.ACCEPTED)
        # A merged original's own points (phones + raised hands), shown in its row: they add up in the merged item.
        .annotate(own_points=Coalesce(Sum("votes__points"), 0) + F("paper_points"))
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
                "total": scored.total if scored else item.own_points,
                "rang_top10": ranks.get(item.pk, ""),
            }
            for moment, label in workshop.moments:
                placement = placements.get(moment)
                row[f"{label} — {workshop.x_label}"] = placement.get_x_display() if placement else ""
                row[f"{label} — pourquoi"] = placement.reason if placement else ""
                if moment == Placement.Moment.HORIZON:  # what it would take to reach the horizon's post-it
                    row[f"{label} — que faudrait-il"] = placement.what_it_takes if placement else ""
            rows.append(row)
    return rows


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
    writer.writerows({key: spreadsheet_text(value) for key, value in row.items()} for row in rows)
    return response


@workshop_required
@require_POST
def workshop_pdf(request: TenantRequest, workshop_pk: int) -> HttpResponse:
    """The results for the participants, produced by a worker (documents); the workshop page shows its progress."""
    workshop = _workshop(request, workshop_pk)
    start_export("workshop_pdf", workshop, request.user)  # type: ignore[arg-type]
    return redirect(f"{reverse('workshops:workshop_detail', kwargs={'workshop_pk': workshop.pk})}#documents")


# --- One group live: presenter, projector, actions ----------------------------------------------------


# The matrix's post-its: at the height of their points on a labelled scale, spread sideways when they meet.
POSTIT_HEIGHT_STEP = 8  # % of the scale under which two post-its of one column overlap


def _scale(max_total: int) -> tuple[int, list[dict[str, int]]]:
    """A round top for the y scale (at least the highest total) and its ticks, each at its % of the height."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if max_total <= step * 5:
            break
    top = max(step, -(-max_total // step) * step)
    return top, [{"value": v, "percent": round(100 * v / top)} for v in range(0, top + 1, step)]


def _matrix(items: list[Item], placements: list[Placement]) -> tuple[list[dict[str, Any]], list[dict[str, int]]]:
    scored = {i.pk: i for i in items}
    top, ticks = _scale(max([getattr(i, "total", 0) for i in items] + [1]))
    posts: list[dict[str, Any]] = []
    for placement in sorted(placements, key=lambda p: (p.item_id, p.moment)):
        item = scored.get(placement.item_id)
        if item is None:
            continue
        height = round(100 * item.total / top, 1)
        # `css`: the height as CSS reads it, whatever the language's decimal separator.
        posts.append({"placement": placement, "item": item, "height": height, "css": f"{height:.1f}"})
    # Post-its of one column whose heights overlap share its width side by side (never pushed down: the height
    # is the points, exactly).
    by_column: dict[str, list[dict[str, Any]]] = {}
    for post in sorted(posts, key=lambda p: (-p["height"], p["item"].number or 0, p["placement"].moment)):
        by_column.setdefault(post["placement"].x, []).append(post)
    for column in by_column.values():
        clusters: list[list[dict[str, Any]]] = []
        for post in column:
            if clusters and clusters[-1][0]["height"] - post["height"] < POSTIT_HEIGHT_STEP:
                clusters[-1].append(post)
            else:
                clusters.append([post])
        for cluster in clusters:
            for slot, post in enumerate(cluster):
                post["slot"], post["slots"] = slot, len(cluster)
    return posts, ticks


def _piles(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plenary's post-its of one column and the same points in one pile at that height: ties of a dozen
    items stay one box the wall can fit (showing their numbers when their labels don't fit, see live.js)."""
    piles: dict[tuple[str, str], dict[str, Any]] = {}
    for post in sorted(posts, key=lambda p: (-p["height"], p["item"].number or 0, p["placement"].moment)):
        key = (post["placement"].x, post["css"])
        pile = piles.setdefault(key, {"x": key[0], "css": key[1], "height": post["height"], "entries": {}})
        # An item placed in the same column today and in ten years is one entry with both colours.
        entry = pile["entries"].setdefault(post["item"].pk, {"item": post["item"], "moments": [], "reasons": []})
        entry["moments"].append(post["placement"].moment)
        entry["reasons"].append(post["placement"].reason)
    for pile in piles.values():
        pile["entries"] = list(pile["entries"].values())
        pile["moment"] = pile["entries"][0]["moments"][0] if len(pile["entries"]) == 1 else ""
    by_column: dict[str, list[dict[str, Any]]] = {}
    for pile in piles.values():
        by_column.setdefault(pile["x"], []).append(pile)
    for column in by_column.values():
        clusters: list[list[dict[str, Any]]] = []
        for pile in column:
            if clusters and clusters[-1][0]["height"] - pile["height"] < POSTIT_HEIGHT_STEP:
                clusters[-1].append(pile)
            else:
                clusters.append([pile])
        for cluster in clusters:
            for slot, pile in enumerate(cluster):
                pile["slot"], pile["slots"] = slot, len(cluster)
    return list(piles.values())


def _legend(posts: list[dict[str, Any]]) -> list[Item]:
    """Each item on the matrix once, by number: the key to the numbers a crowded matrix shows alone."""
    items = {post["item"].pk: post["item"] for post in posts}
    return sorted(items.values(), key=lambda item: item.number or 0)


def top_rows(top: list[Item]) -> list[dict[str, Any]]:
    """The top 10 as the wall shows it: ten rows at most, the items tied for the last place in one « ex æquo » row."""
    if len(top) <= TOP_SIZE:
        counts: dict[int, int] = {}
        for item in top:
            counts[item.rank] = counts.get(item.rank, 0) + 1
        return [{"rank": i.rank, "items": [i], "tie": counts[i.rank] > 1, "total": i.total} for i in top]
    last = top[-1].total
    start = next(n for n, item in enumerate(top) if item.total == last)
    rows = top_rows(top[:start])
    rows.append({"rank": top[start].rank, "items": top[start:], "tie": True, "total": last})
    return rows


def _columns(count: int) -> int:
    return 1 if count <= 10 else (2 if count <= 20 else 3)


def _live_context(group: WorkshopGroup) -> dict[str, Any]:
    items = group.items_with_points()
    participants = list(group.participants.order_by("created_at"))
    voters = [p for p in participants if p.has_voted]
    top = top_items(items) if group.stage in (Stage.RANKING, Stage.MATRIX, Stage.DONE) else []
    placements = list(Placement.objects.filter(item__group=group).select_related("item"))
    posts, ticks = _matrix(items, placements)
    scored = {i.pk: i for i in items}
    # The originals of merged items, shown with them on the wall (kept for the record).
    originals: dict[int, list[Item]] = {}
    for original in group.items.filter(merged_into__isnull=False).order_by("number"):
        originals.setdefault(original.merged_into_id or 0, []).append(original)
    for item in items:
        item.originals_shown = originals.get(item.pk, [])  # type: ignore[attr-defined]
    merges = list(group.merges.filter(status=MergeProposal.Status.OPEN).prefetch_related("items"))
    now = timezone.now()
    for merge in merges:
        merge.total = sum(getattr(scored.get(i.pk), "total", 0) for i in merge.items.all())  # type: ignore[attr-defined]
        elapsed = (now - merge.created_at).total_seconds()
        merge.seconds_left = max(0, int(MERGE_COUNTDOWN_SECONDS - elapsed))  # type: ignore[attr-defined]
    expected = group.expected_participants
    shown_items = items if group.stage not in (Stage.RANKING, Stage.DONE) else top
    return {
        "group": group,
        "workshop": group.workshop,
        "items": items,
        "proposed": list(group.items.filter(status=Item.Status.PROPOSED).order_by("created_at")),
        "participants": participants,
        "voters": voters,
        "over_expected": max(0, len(participants) - expected) if expected else 0,
        "top": top,
        "top_rows": top_rows(top),
        "top_ids": {i.pk for i in top},
        "merges": merges,
        "posts": posts,
        "legend": _legend(posts),
        "ticks": ticks,
        "maitrise": Maitrise.choices,
        "answers": list(group.answers.all()) if group.workshop.kind == Kind.TOUR_DE_TABLE else [],
        "columns": _columns(len(shown_items)),
        "rows": max(1, -(-len(shown_items) // _columns(len(shown_items)))),
        "stages": group.workshop.stage_order,
        "state": actions.live_state(group),
        "allowed": " ".join(group.allowed_actions),
        "undo": group.last_undo(now),
        "compact_side": group.stage != Stage.QUESTION and bool(participants),
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


@read_or_workshop_required
@require_safe
def workshopgroup_presenter(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    """The animator's laptop: every control, who has voted, proposals to accept, the paper mode."""
    group = _group(request, workshopgroup_pk)
    context = _live_context(group)
    reverse_order = request.GET.get("ordre") == "inverse"
    context |= {
        "paper_items": list(reversed(context["items"])) if reverse_order else context["items"],
        "reverse_order": reverse_order,
    }
    if request.htmx:
        return render(request, "workshops/presenter.html#live", context)
    refused_label = request.session.pop(f"workshops-refused-{group.pk}", "")
    return render(
        request,
        "workshops/presenter.html",
        context
        | {"join_url": _join_url(request, group), "roadmap": group.workshop.roadmap, "refused_label": refused_label},
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
    "next": {"stage"},
    "previous": {"stage"},
    "vote": {"voting_open"},
    "reveal": {"revealed"},
    "timer": {"timer_running"},
}


def _done(
    request: TenantRequest,
    group: WorkshopGroup,
    error: str | None = None,
    *,
    notice: str | None = None,
    undo: str | None = None,
) -> HttpResponse:
    """After an animator's action: JSON for the keyboard shortcuts, else back to the presenter view.

    `undo` names the destructive action just made, which « Annuler » (Ctrl+Z) puts back.
    """
    if request.headers.get("Accept", "").startswith("application/json"):
        body = {"ok": error is None, "error": error, "notice": notice, "undo": undo}
        return JsonResponse(body, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif notice:
        messages.info(request, notice)
    # `next` brings the animator back to the page they acted from (projector or presenter), never off the site.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = group.get_absolute_url()
    return redirect(target)


@workshop_required
@require_POST
def workshopgroup_action(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    name = request.POST.get("action", "")
    stage = request.POST.get("stage")
    # The state the animator's screen showed (data-seen-* of the live fragment, or hidden fields of the forms):
    # an action another screen already made is merged (nothing more done), one it made pointless is explained.
    relevant = SEEN_BY_ACTION.get(name, set())
    seen = {key: request.POST.get(f"seen_{key}", "") for key in relevant if f"seen_{key}" in request.POST}
    marker = _undo_marker(group)
    try:
        if name == "undo":
            return _done(request, group, notice=actions.undo(group).message)
        if name == "expected":
            value = request.POST.get("expected", "").strip()
            if value and not value.isdigit():
                raise Refused(_("Le nombre de participants attendus est un nombre entier."))
            actions.set_expected(group, int(value) if value else None)
        elif stage:
            actions.set_stage(group, stage, seen)
        elif name not in STAGE_ACTIONS:
            raise Refused(_("Action inconnue."))
        else:
            STAGE_ACTIONS[name](group, seen)
    except actions.AlreadyDone as done:
        return _done(request, group, notice=done.message)
    except Refused as refusal:
        return _done(request, group, refusal.message)
    return _done(request, group, undo=_undo_since(group, marker))


def _undo_marker(group: WorkshopGroup) -> str | None:
    return group.undo_log[-1]["at"] if group.undo_log else None


def _undo_since(group: WorkshopGroup, marker: str | None) -> str | None:
    """The label of the destructive action recorded since `marker` (the newest entry then), if any."""
    group.refresh_from_db(fields=["undo_log"])
    entry = group.last_undo()
    return str(entry["label"]) if entry is not None and entry["at"] != marker else None


@workshop_required
@require_POST
def workshopgroup_add_item(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    try:
        if group.workshop.kind == Kind.TOUR_DE_TABLE:
            actions.add_answer(group, request.POST.get("text", ""), author=request.POST.get("author", ""))
        else:
            actions.add_item(group, request.POST.get("label", ""))
    except Refused as refusal:
        # The animator's text is given back in the field, to shorten it rather than type it again.
        request.session[f"workshops-refused-{group.pk}"] = request.POST.get("label", "")[:200]
        return _done(request, group, refusal.message)
    return _done(request, group)


@workshop_required
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
        marker = _undo_marker(group)
        actions.set_paper_points(group, totals)
    except (Refused, ValueError) as refusal:
        return _done(request, group, getattr(refusal, "message", _("Saisie invalide.")))
    messages.success(request, _("Points à main levée enregistrés."))
    return _done(request, group, undo=_undo_since(group, marker))


@workshop_required
@require_POST
def workshopgroup_merge(request: TenantRequest, workshopgroup_pk: int) -> HttpResponse:
    group = _group(request, workshopgroup_pk)
    items = group.items.filter(pk__in=_ints(request.POST.getlist("items")))
    try:
        actions.propose_merge(group, items, request.POST.get("label", ""))
    except Refused as refusal:
        return _done(request, group, refusal.message)
    return _done(request, group)


@workshop_required
@require_POST
def mergeproposal_decide(request: TenantRequest, mergeproposal_pk: int) -> HttpResponse:
    proposal = get_object_or_404(request.tenant.workshop_merges.select_related("group"), pk=mergeproposal_pk)
    marker = _undo_marker(proposal.group)
    try:
        if request.POST.get("decision") == "confirm":
            actions.confirm_merge(proposal)
        else:
            actions.object_to_merge(proposal, request.POST.get("who") or _("l'animateur"))
    except Refused as refusal:
        return _done(request, proposal.group, refusal.message)
    return _done(request, proposal.group, undo=_undo_since(proposal.group, marker))


@workshop_required
@require_POST
def item_edit(request: TenantRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.workshop_items.select_related("group__workshop"), pk=item_pk)
    marker = _undo_marker(item.group)
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
    return _done(request, item.group, undo=_undo_since(item.group, marker))


@workshop_required
@require_POST
def item_place(request: TenantRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.workshop_items.select_related("group__workshop"), pk=item_pk)
    # Moving a post-it by drag-and-drop sends its column only: the reasons already written stay (None).
    postits = {
        moment: actions.PostIt(
            x=request.POST[f"{moment}-x"],
            reason=request.POST.get(f"{moment}-reason"),
            what_it_takes=request.POST.get(f"{moment}-what"),
            todo=bool(request.POST.get(f"{moment}-todo")),
        )
        for moment, _label in item.group.workshop.moments
        if request.POST.get(f"{moment}-x")
    }
    try:
        actions.place_postits(item, postits)
    except Refused as refusal:
        return _done(request, item.group, refusal.message)
    return _done(request, item.group)
