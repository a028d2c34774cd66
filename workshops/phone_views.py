"""The participants' phone pages: public routes, reached with a group's join code, no account.

A participant is known by a random token kept in a signed cookie scoped to one group; everything they see
or send is looked up from the group of the code in the URL, so no other session's (or tenant's) data can
be reached from here. A refusal answers 400 with a French message and records nothing.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tenancy import throttle
from workshops import actions
from workshops.actions import Refused
from workshops.models import CODE_ALPHABET, CODE_LENGTH, Item, Kind, MergeProposal, Participant, Stage, WorkshopGroup

COOKIE_SALT = "workshops.participant"
COOKIE_MAX_AGE = 7 * 24 * 3600
CODE_MISSES_ALLOWED = 40
CODE_MISSES_WINDOW = 10 * 60
CODE_MISSES_SCOPE = "workshops:code-misses"


class TamperedToken(Exception):
    pass


def cookie_name(group: WorkshopGroup) -> str:
    return f"cap_atelier_{group.pk}"


class Throttled(Exception):
    pass


def _client_key(request: HttpRequest) -> str:
    return throttle.address_key(CODE_MISSES_SCOPE, request)


def _find_group(code: str) -> WorkshopGroup | None:
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return WorkshopGroup.objects.select_related("workshop").filter(code=code).first()


def _lookup(request: HttpRequest, code: str) -> WorkshopGroup | None:
    """The group of a join code; raises Throttled when this address has tried too many wrong codes.

    Codes are 6 characters out of 31 (about 887 million): guessing one takes hundreds of thousands of tries
    when there are a few thousand groups, so wrong codes are counted per address (Redis cache) and, past
    CODE_MISSES_ALLOWED in CODE_MISSES_WINDOW seconds, wrong codes are refused as « too many » without being
    counted further. The right code is never refused: a room behind one shared address (its Wi-Fi, a proxy)
    keeps joining while someone there mistypes, or tries codes, over and over.
    """
    group = _find_group(code)
    if group is None:
        if throttle.reached(CODE_MISSES_SCOPE, request, CODE_MISSES_ALLOWED):
            raise Throttled
        throttle.count(CODE_MISSES_SCOPE, request, CODE_MISSES_WINDOW)
    return group


def _throttled(request: HttpRequest) -> HttpResponse:
    message = _("Trop de codes erronés ont été essayés depuis cette connexion : patientez quelques minutes.")
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": message}, status=429)
    return render(request, "workshops/phone_join.html", {"error": message}, status=429)


def _participant(request: HttpRequest, group: WorkshopGroup) -> Participant | None:
    """The participant of this group whose token the phone holds; raises TamperedToken on a forged cookie."""
    name = cookie_name(group)
    if name not in request.COOKIES:
        return None
    try:
        token = request.get_signed_cookie(name, salt=COOKIE_SALT)
    except signing.BadSignature as error:
        raise TamperedToken from error
    participant = Participant.objects.filter(token=token, group=group).first()
    if participant is None:
        raise TamperedToken
    return participant


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    context = {"error": _("Le code « %(code)s » ne correspond à aucun atelier en cours.") % {"code": code[:12]}}
    return render(request, "workshops/phone_join.html", context, status=404)


def _phone_context(
    group: WorkshopGroup, participant: Participant | None, typed: dict[int, int] | None = None
) -> dict[str, Any]:
    """`typed`: a refused ballot, shown again as typed (not recorded) so the participant can correct it."""
    votes: dict[int, int] = {}
    my_items: list[Item] = []
    if participant is not None:
        votes = dict(participant.votes.values_list("item_id", "points"))
        my_items = list(participant.items.all())
    items = list(group.votable_items().order_by("number"))
    shown = votes if typed is None else typed
    for item in items:
        item.my_points = shown.get(item.pk, 0)  # type: ignore[attr-defined]
    spent = sum(shown.values())
    context: dict[str, Any] = {
        "group": group,
        "workshop": group.workshop,
        "participant": participant,
        "items": items,
        "my_items": my_items,
        "items_left": max(0, 3 - len(my_items)),
        "spent": spent,
        "remaining": group.envelope - spent,
        "merges": list(group.merges.filter(status=MergeProposal.Status.OPEN).prefetch_related("items")),
        "is_tour": group.workshop.kind == Kind.TOUR_DE_TABLE,
        "Stage": Stage,
    }
    if group.revealed and group.stage in (Stage.RANKING, Stage.MATRIX, Stage.DONE):
        context["top"] = group.top()
    if participant is not None and group.stage == Stage.RANKING:
        # The merges this phone objected to, acknowledged for as long as the ranking lasts.
        context["objected"] = list(group.merges.filter(status=MergeProposal.Status.CANCELLED, objector=participant))
    return context


def _page(
    request: HttpRequest,
    group: WorkshopGroup,
    participant: Participant | None,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
    typed: dict[int, int] | None = None,
) -> HttpResponse:
    context = _phone_context(group, participant, typed) | {"error": error, "notice": notice}
    template = "workshops/phone.html#live" if request.headers.get("HX-Request") else "workshops/phone.html"
    return render(request, template, context, status=status)


@require_safe
def participant_join_form(request: HttpRequest) -> HttpResponse:
    """Enter the code shown on the projector."""
    code = request.GET.get("code", "").strip()
    if code:
        try:
            group = _lookup(request, code)
        except Throttled:
            return _throttled(request)
        if group is None:
            return _not_found(request, code)
        return redirect("workshops:participant_page", code=group.code)
    return render(request, "workshops/phone_join.html", {})


@require_safe
def participant_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        group = _lookup(request, code)
    except Throttled:
        return _throttled(request)
    if group is None:
        return _not_found(request, code)
    try:
        participant = _participant(request, group)
    except TamperedToken:
        response = _page(request, group, None, error=_tampered_message(), status=400)
        response.delete_cookie(cookie_name(group))
        return response
    notice = {
        "points": _("Vos points sont enregistrés."),
        "item": _("Votre idée est transmise à l'animateur."),
    }.get(request.GET.get("ok", ""), "")
    return _page(request, group, participant, notice=notice)


@require_safe
def participant_version(request: HttpRequest, code: str) -> HttpResponse:
    try:
        group = _lookup(request, code)
    except Throttled:
        return JsonResponse({"error": _("Trop de codes erronés : patientez quelques minutes.")}, status=429)
    if group is None:
        return JsonResponse({"error": _("Atelier introuvable.")}, status=404)
    return JsonResponse({"version": group.version})


def _tampered_message() -> str:
    return _("Votre jeton de participation n'est pas valide : rejoignez l'atelier à nouveau. Rien n'a été enregistré.")


def _posting(request: HttpRequest, code: str) -> tuple[WorkshopGroup | None, Participant | None, HttpResponse | None]:
    """Common checks of a participant's POST: the code's group, then the phone's token for that group."""
    try:
        group = _lookup(request, code)
    except Throttled:
        return None, None, _throttled(request)
    if group is None:
        return None, None, _not_found(request, code)
    try:
        participant = _participant(request, group)
    except TamperedToken:
        return group, None, _page(request, group, None, error=_tampered_message(), status=400)
    if participant is None:
        message = _("Rejoignez d'abord l'atelier avec son code : rien n'a été enregistré.")
        return group, None, _page(request, group, None, error=message, status=400)
    return group, participant, None


def _after_post(request: HttpRequest, group: WorkshopGroup, participant: Participant, ok: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _page(request, group, participant, notice=_("Enregistré."))
    return redirect(reverse("workshops:participant_page", kwargs={"code": group.code}) + f"?ok={ok}")


@require_POST
def participant_join(request: HttpRequest, code: str) -> HttpResponse:
    try:
        group = _lookup(request, code)
    except Throttled:
        return _throttled(request)
    if group is None:
        return _not_found(request, code)
    try:
        participant = _participant(request, group)
    except TamperedToken:
        participant = None
    if participant is None:
        try:
            participant = actions.join(group, request.POST.get("first_name", ""))
        except Refused as refusal:
            return _page(request, group, None, error=refusal.message, status=400)
    response = redirect("workshops:participant_page", code=group.code)
    response.set_signed_cookie(
        cookie_name(group),
        participant.token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@require_POST
def participant_item(request: HttpRequest, code: str) -> HttpResponse:
    group, participant, refusal = _posting(request, code)
    if refusal is not None:
        return refusal
    assert group is not None and participant is not None
    try:
        if group.workshop.kind == Kind.TOUR_DE_TABLE:
            actions.add_answer(group, request.POST.get("text", ""), participant)
        else:
            actions.add_item(group, request.POST.get("label", ""), participant)
    except Refused as error:
        return _page(request, group, participant, error=error.message, status=400)
    return _after_post(request, group, participant, "item")


@require_POST
def participant_vote(request: HttpRequest, code: str) -> HttpResponse:
    group, participant, refusal = _posting(request, code)
    if refusal is not None:
        return refusal
    assert group is not None and participant is not None
    ballot: dict[int, int] = {}
    try:
        for key, values in request.POST.lists():
            if key.startswith("item-"):
                pk = int(key.removeprefix("item-"))
                if pk in ballot or len(values) != 1:  # « item-5 » twice, or « item-5 » and « item-05 »
                    raise ValueError(key)
                ballot[pk] = int(values[0] or 0)
        actions.submit_ballot(participant, ballot)
    except ValueError:
        return _page(request, group, participant, error=_("Saisie invalide : rien n'a été enregistré."), status=400)
    except Refused as error:
        return _page(request, group, participant, error=error.message, status=400, typed=ballot)
    return _after_post(request, group, participant, "points")


@require_POST
def participant_object(request: HttpRequest, code: str) -> HttpResponse:
    """One participant's objection cancels a merge proposal of their group."""
    group, participant, refusal = _posting(request, code)
    if refusal is not None:
        return refusal
    assert group is not None and participant is not None
    merge_pk = request.POST.get("merge", "")
    valid = merge_pk.isascii() and merge_pk.isdigit() and len(merge_pk) < 19  # « ² » is a digit for str.isdigit
    proposal = group.merges.filter(pk=int(merge_pk)).first() if valid else None
    if proposal is None:
        return _page(request, group, participant, error=_("Cette proposition n'existe pas."), status=400)
    try:
        actions.object_to_merge(proposal, participant.first_name or _("un participant"), participant)
    except Refused as error:
        return _page(request, group, participant, error=error.message, status=400)
    return _after_post(request, group, participant, "objection")
