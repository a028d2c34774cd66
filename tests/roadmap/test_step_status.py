"""Step statuses that do not flatter: « Fait » has a written definition, shown with the status, and a step whose
work is bare stays « En cours » with what remains."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from roadmap.models import Roadmap
from roadmap.steps import STEP_DEFINITIONS, roadmap_steps
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory
from tests.roadmap.factories import ActionExpenseFactory

pytestmark = pytest.mark.django_db


def test_three_bare_chantiers_do_not_make_step_4_done(tenant_a: Tenant) -> None:
    for _ in range(3):
        ChantierFactory(roadmap=tenant_a.roadmap)
    step = roadmap_steps(tenant_a.roadmap)[4]
    assert step.status == "in_progress"
    assert "3 chantiers sans action" in step.missing
    assert "3 chantiers ne répondent à aucun enjeu" in step.missing


def test_a_chantier_with_an_action_is_not_enough_for_step_4(tenant_a: Tenant) -> None:
    # Step 4 is done when each enjeu's group has chosen its priority chantiers (tests/chantiers/test_rules.py).
    chantier = ChantierFactory(roadmap=tenant_a.roadmap)
    chantier.enjeux.add(EnjeuFactory(roadmap=tenant_a.roadmap))
    ActionFactory(roadmap=tenant_a.roadmap, chantier=chantier)
    step = roadmap_steps(tenant_a.roadmap)[4]
    assert step.status == "in_progress"
    assert any("chantier prioritaire" in str(line) for line in step.missing), step.missing


def test_fiches_without_pilot_or_budget_keep_step_6_in_progress_even_adopted(tenant_a: Tenant) -> None:
    roadmap = tenant_a.roadmap
    enjeu = EnjeuFactory(roadmap=roadmap)
    defi = DefiFactory(roadmap=roadmap)
    defi.enjeux.add(enjeu)
    actions = [
        ActionFactory(
            roadmap=roadmap, chantier=ChantierFactory(roadmap=roadmap, defi=defi), referents="", lead_structure=""
        )
        for _ in range(3)
    ]
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.ADOPTEE)
    roadmap.refresh_from_db()
    step = roadmap_steps(roadmap)[6]
    assert step.status == "in_progress"
    assert "3 fiches actions sans pilote" in step.missing and "3 fiches actions sans budget" in step.missing

    for action in actions:
        action.referents = "Camille Martin"
        action.save()
        ActionExpenseFactory(action=action)
    assert roadmap_steps(roadmap)[6].status == "complete"


def test_every_step_shows_what_done_means(tenant_a: Tenant, client_a: Client) -> None:
    assert set(STEP_DEFINITIONS) == set(range(1, 8))
    page = html.unescape(client_a.get(tenant_a.roadmap.get_absolute_url()).content.decode())
    for number, definition in STEP_DEFINITIONS.items():
        assert page.count(str(definition)) == 2, number  # on hover (title) and in the « Quand est-ce Fait ? » box


def test_a_reader_sees_no_instruction_for_what_they_cannot_do(tenant_a: Tenant, client_a: Client) -> None:
    from django.urls import reverse

    DefiFactory(roadmap=tenant_a.roadmap)
    action = ActionFactory(roadmap=tenant_a.roadmap, referents="", lead_structure="")
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    for url, instructions in (
        (reverse("roadmap:defi_board", args=[tenant_a.roadmap.pk]), ("Faites glisser", "déposez-en un ici")),
        (reverse("fiches:fiche", args=[action.pk]), ("indiquez une personne référente",)),
        (reverse("fiches:budget", args=[tenant_a.roadmap.pk]), ("Exporter en Excel",)),
    ):
        as_reader = html.unescape(lecteur.get(url).content.decode())
        as_editor = html.unescape(client_a.get(url).content.decode())
        for text in instructions:
            assert text not in as_reader, (url, text)
            assert text in as_editor, (url, text)
