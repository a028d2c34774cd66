"""An adversarial review of the participants' public routes and of the live animator endpoints.

Each test tries what a curious or malicious phone (or a misused animator form) could send, and checks that
the answer is a clear French refusal with nothing recorded, never another session's data, never a 500.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import Tenant
from tests.workshops.factories import WorkshopFactory, WorkshopGroupFactory
from tests.workshops.test_phone import group_with_items, joined, text, url
from workshops import actions
from workshops.models import Answer, Item, MergeProposal, Participant, Stage, Vote, WorkshopGroup
from workshops.phone_views import CODE_MISSES_ALLOWED, cookie_name


def new_address() -> str:
    """An address of its own for each test, so the wrong-code counters (in Redis) never leak between runs."""
    return f"fd00::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def phone_at(address: str | None = None) -> Client:
    return Client(REMOTE_ADDR=address or new_address())


def two_groups_of_one_session(tenant: Tenant) -> tuple[WorkshopGroup, WorkshopGroup]:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap)
    groups = []
    for name in ("Groupe 1", "Groupe 2"):
        group: WorkshopGroup = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, name=name)
        for n in range(4):
            Item.objects.create(organization=tenant.organization, group=group, number=n + 1, label=f"{name} idée {n}")
        groups.append(actions.set_stage(group, Stage.VOTE))
    return groups[0], groups[1]


# --- Tokens and codes -------------------------------------------------------------------------------------


def test_a_token_of_one_group_opens_nothing_in_the_other_group_of_the_session(tenant_a: Tenant) -> None:
    group_1, group_2 = two_groups_of_one_session(tenant_a)
    phone = joined(group_1)
    item_2 = group_2.votable_items().first()
    assert item_2 is not None
    # The phone's own cookie is scoped to group 1: at group 2 it is nobody.
    response = phone.post(url("participant_vote", group_2), {f"item-{item_2.pk}": 1})
    assert response.status_code == 400 and "Rejoignez d'abord" in text(response)
    # Its signed value copied under group 2's cookie name: the signature is bound to the name, refused.
    phone.cookies[cookie_name(group_2)] = phone.cookies[cookie_name(group_1)].value
    response = phone.post(url("participant_vote", group_2), {f"item-{item_2.pk}": 1})
    assert response.status_code == 400 and "jeton de participation n'est pas valide" in text(response)
    # Group 2's items through group 1's code.
    del phone.cookies[cookie_name(group_2)]
    response = phone.post(url("participant_vote", group_1), {f"item-{item_2.pk}": 1})
    assert response.status_code == 400 and "n'existe pas dans cet atelier" in text(response)
    assert not Vote.objects.exists()


def test_a_phone_cannot_object_to_a_merge_of_another_group(tenant_a: Tenant, tenant_b: Tenant) -> None:
    group_1, group_2 = two_groups_of_one_session(tenant_a)
    other = actions.set_stage(group_with_items(tenant_b, 4), Stage.VOTE)
    proposals = []
    for group in (group_2, other):
        actions.set_stage(group, Stage.RANKING)
        proposals.append(actions.propose_merge(group, list(group.votable_items())[:2], "Tout ensemble"))
    phone = joined(group_1)
    for proposal in proposals:
        response = phone.post(url("participant_object", group_1), {"merge": proposal.pk})
        assert response.status_code == 400 and "Cette proposition n'existe pas" in text(response)
    assert not MergeProposal.objects.exclude(status=MergeProposal.Status.OPEN).exists()


@pytest.mark.parametrize("merge", ["²", "١٢", "99999999999999999999999", "-1", "", "1 OR 1=1"])
def test_a_strange_merge_id_is_refused_in_french(tenant_a: Tenant, merge: str) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 4), Stage.VOTE)
    actions.set_stage(group, Stage.RANKING)
    actions.propose_merge(group, list(group.votable_items())[:2], "Tout ensemble")
    response = joined(group).post(url("participant_object", group), {"merge": merge})
    assert response.status_code == 400 and "Cette proposition n'existe pas" in text(response)
    assert MergeProposal.objects.get().status == MergeProposal.Status.OPEN


@pytest.mark.parametrize("path", ["/atelier/%00ABCDE/", "/atelier/%00ABCDE/version/", "/atelier/?code=%00ABCDE"])
def test_a_code_with_a_nul_character_is_unknown_not_a_crash(db: None, path: str) -> None:
    response = phone_at().get(path)
    assert response.status_code == 400  # refused before any view (tenancy.request_checks), not a server error


def test_a_tampered_cookie_on_join_makes_a_new_participant_not_someone_else(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    victim = joined(group, "Victime")
    phone = Client()
    phone.cookies[cookie_name(group)] = Participant.objects.get().token  # the raw token, unsigned
    assert phone.post(url("participant_join", group), {"first_name": "Mallory"}).status_code == 302
    assert Participant.objects.count() == 2
    assert phone.cookies[cookie_name(group)].value != victim.cookies[cookie_name(group)].value


# --- Ballots ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda a, b: f"item-{a}=1&item-{a}=1", id="same-item-twice"),
        pytest.param(lambda a, b: f"item-{a}=1&item-0{a}=2", id="same-item-two-spellings"),
    ],
)
def test_a_ballot_naming_an_item_twice_is_refused(tenant_a: Tenant, form: Callable[[int, int], str]) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = joined(group)
    first, second = list(group.votable_items().order_by("number"))[:2]
    body = form(first.pk, second.pk)
    response = phone.post(url("participant_vote", group), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "Saisie invalide : rien n'a été enregistré." in text(response)
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "0 à 5"), ("99999999999999999999", "0 à 5"), ("2.5", "Saisie invalide"), ("deux", "Saisie invalide")],
)
def test_negative_huge_or_non_numeric_points_leave_the_previous_ballot(
    tenant_a: Tenant, value: str, message: str
) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = joined(group)
    first, second = list(group.votable_items().order_by("number"))[:2]
    assert phone.post(url("participant_vote", group), {f"item-{first.pk}": 2}).status_code == 302
    response = phone.post(url("participant_vote", group), {f"item-{first.pk}": 0, f"item-{second.pk}": value})
    assert response.status_code == 400 and message in text(response)
    assert list(Vote.objects.values_list("item_id", "points")) == [(first.pk, 2)]  # all or nothing


def test_a_vote_on_a_proposed_or_merged_item_is_refused(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a, 6)
    phone = joined(group)
    phone.post(url("participant_item", group), {"label": "Pas encore retenue"})
    proposed = group.items.get(status=Item.Status.PROPOSED)
    actions.set_stage(group, Stage.VOTE)
    original, other = list(group.votable_items().order_by("number"))[:2]
    actions.confirm_merge(actions.propose_merge(group, [original, other], "Les deux"))
    for item in (proposed, original):
        response = phone.post(url("participant_vote", group), {f"item-{item.pk}": 1})
        assert response.status_code == 400 and "pas ouvert au vote" in text(response)
    assert not Vote.objects.exists()


# --- Texts ------------------------------------------------------------------------------------------------


def test_nul_characters_in_a_first_name_or_an_idea_are_refused_not_a_crash(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    phone = Client()
    # A form carrying a NUL byte is answered 400 before any view (tenancy.request_checks): nothing recorded.
    assert phone.post(url("participant_join", group), {"first_name": "Al\x00ix"}).status_code == 400
    assert not Participant.objects.exists()
    assert phone.post(url("participant_join", group), {"first_name": "Alix"}).status_code == 302
    assert phone.post(url("participant_item", group), {"label": "Fibre\x00 partout"}).status_code == 400
    assert not group.items.filter(status=Item.Status.PROPOSED).exists()
    # The actions still drop one that reaches them some other way.
    assert actions.clean_label("Fibre\x00 partout") == "Fibre partout"


@pytest.mark.parametrize(
    ("label", "message"),
    [("", "Écrivez votre idée"), ("mot " * 30, "4 mots au plus"), ("x" * 81, "80 caractères au plus")],
)
def test_an_empty_or_long_idea_is_refused(tenant_a: Tenant, label: str, message: str) -> None:
    group = group_with_items(tenant_a, 0)
    response = joined(group).post(url("participant_item", group), {"label": label})
    assert response.status_code == 400 and message in text(response)
    assert not Item.objects.exists()


def test_a_very_long_first_name_is_cut_not_refused(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    joined(group, "Camille" * 50)
    assert len(Participant.objects.get().first_name) == 60


def tour_group(tenant: Tenant) -> WorkshopGroup:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, kind="tour_de_table")
    return WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, stage=Stage.COLLECTION)


def test_a_phone_sends_at_most_three_tour_de_table_answers(tenant_a: Tenant) -> None:
    group = tour_group(tenant_a)
    phone = joined(group)
    for n in range(3):
        assert phone.post(url("participant_item", group), {"text": f"Réponse {n}"}).status_code == 302
    response = phone.post(url("participant_item", group), {"text": "Une de trop"})
    assert response.status_code == 400 and "déjà envoyé 3 réponses" in text(response)
    assert Answer.objects.count() == 3
    # The animator typing the answers of people without a phone is not capped.
    for n in range(4):
        actions.add_answer(group, f"Dit à voix haute {n}", author="Dominique")
    assert Answer.objects.count() == 7


@pytest.mark.parametrize("answer", ["", "   ", "x" * 601])
def test_an_empty_or_too_long_answer_is_refused(tenant_a: Tenant, answer: str) -> None:
    group = tour_group(tenant_a)
    response = joined(group).post(url("participant_item", group), {"text": answer})
    assert response.status_code == 400 and ("Écrivez votre réponse" in text(response) or "600" in text(response))
    assert not Answer.objects.exists()


def test_html_typed_on_a_phone_is_shown_as_text_everywhere(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a, 2)
    phone = joined(group, "<script>alert(1)</script>")
    phone.post(url("participant_item", group), {"label": "<img src=x onerror=alert(1)>"})
    animator = tenant_a.client_for(tenant_a.animateur)
    proposed = group.items.get(status=Item.Status.PROPOSED)
    animator.post(reverse("workshops:item_edit", kwargs={"item_pk": proposed.pk}), {"do": "accept"})
    pages = [
        animator.get(reverse("workshops:workshopgroup_presenter", kwargs={"workshopgroup_pk": group.pk})),
        animator.get(reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": group.pk})),
        phone.get(url("participant_page", group)),
    ]
    for page in pages:
        body = page.content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1].content.decode()  # shown on the wall, as text


# --- CSRF -------------------------------------------------------------------------------------------------


def test_the_phone_forms_are_protected_against_csrf(tenant_a: Tenant) -> None:
    """CSRF is enforced on the phone forms (not exempted): another site can't vote with a phone's cookie."""
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(url("participant_page", group))
    token = page.context["csrf_token"]
    assert phone.post(url("participant_join", group), {"first_name": "Alix"}).status_code == 403
    assert not Participant.objects.exists()
    assert (
        phone.post(url("participant_join", group), {"first_name": "Alix", "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    item = group.votable_items().first()
    assert item is not None
    assert phone.post(url("participant_vote", group), {f"item-{item.pk}": 1}).status_code == 403
    assert not Vote.objects.exists()


# --- Guessing codes ---------------------------------------------------------------------------------------


def test_wrong_codes_are_throttled_per_address_and_the_right_code_never_is(tenant_a: Tenant) -> None:
    """A room shares one address (its Wi-Fi): someone there trying codes must not lock the room out."""
    group = group_with_items(tenant_a)
    address = new_address()
    guesser = phone_at(address)
    for n in range(CODE_MISSES_ALLOWED):
        assert guesser.get(reverse("workshops:participant_join_form"), {"code": f"ZZZ{n:03d}"}).status_code == 404
    # Past the limit, wrong codes are refused as too many, on every route…
    for response in (
        guesser.get(reverse("workshops:participant_join_form"), {"code": "ZZZ999"}),
        guesser.get(url("participant_page", group).replace(group.code, "ZZZZZZ")),
        guesser.post(url("participant_join", group).replace(group.code, "ZZZZZZ")),
    ):
        assert response.status_code == 429
        assert "patientez quelques minutes" in text(response)
    # … while the right code still opens the group, to the guesser and to every new phone in the room.
    assert guesser.get(reverse("workshops:participant_join_form"), {"code": group.code}).status_code == 302
    for first_name in ("Alix", "Bao", "Chloé"):
        newcomer = phone_at(address)
        assert newcomer.get(url("participant_page", group)).status_code == 200
        assert newcomer.post(url("participant_join", group), {"first_name": first_name}).status_code == 302
    assert Participant.objects.filter(group=group).count() == 3


def test_the_throttle_keys_on_the_address_the_trusted_proxy_saw(tenant_a: Tenant, settings: Any) -> None:
    """Behind one proxy, the address is the last one it appended: a phone cannot pick its own by a header."""
    settings.TRUSTED_PROXY_COUNT = 1
    group_with_items(tenant_a)
    proxy = "10.0.0.1"
    room = new_address()
    for n in range(CODE_MISSES_ALLOWED):
        forged = f"203.0.113.{n % 250}, {room}"  # a client-written part the proxy passed on, then the real one
        phone = phone_at(proxy)
        phone.get(reverse("workshops:participant_join_form"), {"code": f"XXX{n:03d}"}, HTTP_X_FORWARDED_FOR=forged)
    wrong = phone_at(proxy).get(
        reverse("workshops:participant_join_form"), {"code": "XXX999"}, HTTP_X_FORWARDED_FOR=f"198.51.100.7, {room}"
    )
    assert wrong.status_code == 429
    other_room = phone_at(proxy).get(
        reverse("workshops:participant_join_form"), {"code": "XXX999"}, HTTP_X_FORWARDED_FOR=new_address()
    )
    assert other_room.status_code == 404


def test_phones_still_join_when_the_cache_is_down(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Redis is down")

    for method in ("get", "add", "incr"):
        monkeypatch.setattr(cache, method, down)
    group = group_with_items(tenant_a)
    assert phone_at().get(reverse("workshops:participant_join_form"), {"code": "ZZZZZZ"}).status_code == 404
    assert phone_at().post(url("participant_join", group), {"first_name": "Alix"}).status_code == 302


def test_right_codes_are_never_throttled(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    phone = phone_at()
    for _ in range(CODE_MISSES_ALLOWED + 5):
        assert phone.get(url("participant_version", group)).status_code == 200


# --- Animator side ----------------------------------------------------------------------------------------


def test_an_animator_form_never_redirects_off_the_site(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    animator = tenant_a.client_for(tenant_a.animateur)
    action_url = reverse("workshops:workshopgroup_action", kwargs={"workshopgroup_pk": group.pk})
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = animator.post(action_url, {"action": "timer", "next": target})
        assert response.status_code == 302 and response["Location"] == tenant_a.path(group.get_absolute_url())
    projector = reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": group.pk})
    assert animator.post(action_url, {"action": "timer", "next": projector})["Location"] == projector


def test_a_huge_paper_total_is_refused_in_french(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 4), Stage.VOTE)
    item = group.votable_items().first()
    assert item is not None
    animator = tenant_a.client_for(tenant_a.animateur)
    paper_url = reverse("workshops:workshopgroup_paper", kwargs={"workshopgroup_pk": group.pk})
    response = animator.post(paper_url, {f"paper-{item.pk}": "99999999999"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and "ne dépasse pas" in response.json()["error"]
    item.refresh_from_db()
    assert item.paper_points == 0


def test_the_csv_never_holds_a_formula_typed_by_a_participant(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a, 0)
    phone = joined(group)
    phone.post(url("participant_item", group), {"label": '=HYPERLINK("http://x")'})
    animator = tenant_a.client_for(tenant_a.animateur)
    proposed = group.items.get(status=Item.Status.PROPOSED)
    animator.post(reverse("workshops:item_edit", kwargs={"item_pk": proposed.pk}), {"do": "accept"})
    response = animator.get(reverse("workshops:workshop_csv", kwargs={"workshop_pk": group.workshop_id}))
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["item"] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("name", ["workshopgroup_projector", "workshopgroup_version", "workshopgroup_presenter"])
def test_live_screens_are_for_members_only(tenant_a: Tenant, tenant_b: Tenant, name: str) -> None:
    group = group_with_items(tenant_a)
    live_url = reverse(f"workshops:{name}", kwargs={"workshopgroup_pk": group.pk})
    assert Client().get(live_url).status_code == 302  # to the login page
    assert tenant_b.client_for(tenant_b.admin).get(live_url).status_code == 404
    assert tenant_a.client_for(tenant_a.lecteur).get(live_url).status_code == 200
    action_url = reverse("workshops:workshopgroup_action", kwargs={"workshopgroup_pk": group.pk})
    assert tenant_a.client_for(tenant_a.lecteur).post(action_url, {"action": "next"}).status_code == 403
    group.refresh_from_db()
    assert group.stage == Stage.COLLECTION


def test_a_group_stops_taking_participants_far_above_a_room(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clearing the cookie gives a new participant (no account by design); a script doing it in a loop stops."""
    monkeypatch.setattr(actions, "MAX_PARTICIPANTS_PER_GROUP", 3)
    group = group_with_items(tenant_a)
    for _ in range(3):
        joined(group)
    response = Client().post(url("participant_join", group), {"first_name": "Quatrième"})
    assert response.status_code == 400 and "Ce groupe est complet (3 participants)" in text(response)
    assert Participant.objects.count() == 3
