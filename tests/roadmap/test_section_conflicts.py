"""Edit conflicts per section: a budget saved in another tab does not block the text; someone else's change to
other fields is kept; only the same field changed by both is refused, naming who and when, the typed input kept
beside the value saved meanwhile, and the form can then be sent again."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action
from tests.conftest import Tenant
from tests.factories import ActionFactory
from tests.roadmap.test_fiche import _budget_data, _fiche_post

pytestmark = pytest.mark.django_db


def _edit(client: Client, action: Action, data: dict[str, str]) -> str:
    response = client.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    return "saved" if response.status_code == 302 else html.unescape(response.content.decode())


def test_a_budget_saved_in_another_tab_does_not_block_the_text(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Avant")
    text = _fiche_post(action, client_a, objective="Aller vers les habitants")  # tab 1: the text form
    budget = _budget_data(action, client_a, expense_fonctionnement_2025="1000", funding_etat_2025="1000")  # tab 2
    assert client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), budget).status_code == 302
    assert _edit(client_a, action, text) == "saved"
    action.refresh_from_db()
    assert action.objective == "Aller vers les habitants"
    assert ActionExpense.objects.get(action=action).amount == Decimal("1000")


def test_another_persons_change_to_other_fields_is_kept(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Avant", description="Avant aussi")
    other = tenant_a.client_for(tenant_a.contributeur)
    mine = _fiche_post(action, client_a, description="Un bus deux jours par semaine")
    assert _edit(other, action, _fiche_post(action, other, objective="Objectif de Dominique")) == "saved"
    assert _edit(client_a, action, mine) == "saved"
    action.refresh_from_db()
    assert (action.objective, action.description) == ("Objectif de Dominique", "Un bus deux jours par semaine")


def test_the_same_field_changed_by_two_people_is_refused_by_name_and_can_be_sent_again(
    tenant_a: Tenant, client_a: Client
) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Avant")
    other = tenant_a.client_for(tenant_a.contributeur)
    mine = _fiche_post(action, client_a, objective="Objectif de Camille")
    assert _edit(other, action, _fiche_post(action, other, objective="Objectif de Dominique")) == "saved"
    page = _edit(client_a, action, mine)
    assert f"a été modifié par {tenant_a.contributeur}" in page
    assert "« Objectif de Dominique »" in page  # the value saved meanwhile, beside…
    assert "Objectif de Camille" in page  # …the input typed, kept in the field
    assert "rechargez" not in page
    action.refresh_from_db()
    assert action.objective == "Objectif de Dominique"

    # Keeping one's own input: the form shown again carries the current version, so sending it saves.
    version = page.split('name="seen_version" value="', 1)[1].split('"', 1)[0]
    assert _edit(client_a, action, {**mine, "seen_version": version}) == "saved"
    action.refresh_from_db()
    assert action.objective == "Objectif de Camille"


def test_budget_grids_are_sections_too(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    other = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("fiches:fiche_budget", args=[action.pk])
    mine = _budget_data(action, client_a, expense_fonctionnement_2025="500")
    assert other.post(url, _budget_data(action, other, funding_etat_2025="300")).status_code == 302
    assert client_a.post(url, mine).status_code == 302  # expenses vs financing: both kept
    assert ActionExpense.objects.get(action=action).amount == Decimal("500")
    assert ActionFunding.objects.get(action=action).amount == Decimal("300")

    mine = _budget_data(action, client_a, expense_fonctionnement_2025="700")
    assert other.post(url, _budget_data(action, other, expense_fonctionnement_2025="900")).status_code == 302
    page = html.unescape(client_a.post(url, mine).content.decode())
    assert f"Dépenses a été modifié par {tenant_a.contributeur}" in page and "Fonctionnement 2025 : 900" in page
    assert ActionExpense.objects.get(action=action).amount == Decimal("900")
