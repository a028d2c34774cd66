"""The workshop's rules: the fiche lands in the spine, green needs its four criteria, 2 priorities and 1 « inconnu
désirable » per group (the 3rd refused), the reason recorded, step 4's status."""

from __future__ import annotations

from typing import Any

import pytest

from chantiers import actions
from chantiers.actions import Refused, SheetContent
from chantiers.models import ChantierGroup, ChantierSheet, Feasibility, Priority
from roadmap.models import Chantier
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.factories import EnjeuFactory


def content(**overrides: Any) -> SheetContent:
    values: dict[str, Any] = {
        "title": "Services numériques itinérants",
        "team": "Anne, Karim",
        "success": "Si chaque bourg a une permanence par mois.",
        "free_actions": "Bus numérique\nPermanences en mairie",
        "resources_available": "",
        "resources_needed": "",
        "blockers": "",
        "feasibility": Feasibility.BLANC,
        "actions": [],
        "people": [],
    }
    return SheetContent(**(values | overrides))


def test_a_sheet_is_a_chantier_of_the_spine_answering_the_groups_enjeu(group_a: ChantierGroup) -> None:
    sheet = actions.create_sheet(group_a, "Café numérique itinérant", "Zoé, Paul")
    chantier = Chantier.objects.get(pk=sheet.chantier_id)
    assert chantier.roadmap_id == group_a.roadmap_id
    assert chantier.organization_id == group_a.organization_id
    assert list(chantier.enjeux.all()) == [group_a.enjeu]
    assert chantier.defi is None  # ready to be grouped into a défi on the défis board
    actions.save_sheet(sheet, content(title="Café numérique au marché"))
    chantier.refresh_from_db()
    assert chantier.title == "Café numérique au marché"  # the same row, not a copy


def test_green_is_refused_until_pilot_operator_actors_and_resources_are_identified(
    group_a: ChantierGroup, directory_a: dict[str, Any]
) -> None:
    sheet = actions.create_sheet(group_a, "Bus numérique")
    people = [("pilote", directory_a["mairie"]), ("operateur", directory_a["centre"])]
    with pytest.raises(Refused) as refused:
        actions.save_sheet(sheet, content(feasibility=Feasibility.VERT, people=people))
    message = str(refused.value)
    assert "acteurs associés" in message and "ressources" in message
    assert "pilote" not in message.split("manque encore")[1].split(".")[0]
    sheet.refresh_from_db()
    assert sheet.feasibility == Feasibility.BLANC  # nothing half-saved
    assert not sheet.people.exists()
    # Orange is the group's free choice even with criteria missing.
    actions.save_sheet(sheet, content(feasibility=Feasibility.ORANGE, people=people, blockers="Zones blanches"))
    full = [*people, ("associe", directory_a["anne"])]
    actions.save_sheet(
        sheet, content(feasibility=Feasibility.VERT, people=full, resources_available="Matériel reconditionné")
    )
    sheet = ChantierSheet.objects.with_people().get(pk=sheet.pk)
    assert sheet.feasibility == Feasibility.VERT
    assert [c.met for c in sheet.criteria] == [True, True, True, True]
    assert [str(p) for p in sheet.associates] == ["Anne Pradier (Centre social La Source)"]


def _validated_group_with(group: ChantierGroup, user: Any, n: int) -> list[ChantierSheet]:
    sheets = [actions.create_sheet(group, f"Chantier numéro {i}") for i in range(n)]
    actions.validate_group(group, user)
    return sheets


def test_two_priorities_per_group_and_the_third_is_refused(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    one, two, three, four = _validated_group_with(group_a, tenant_a.animateur, 4)
    actions.set_priority(one, Priority.PRIORITAIRE, "Tout le monde y tient", tenant_a.animateur)
    actions.set_priority(two, Priority.PRIORITAIRE, "Faisable vite", tenant_a.animateur)
    with pytest.raises(Refused) as refused:
        actions.set_priority(three, Priority.PRIORITAIRE, "Aussi important", tenant_a.animateur)
    assert "déjà ses 2 chantiers prioritaires" in str(refused.value)
    assert "« Chantier numéro 0 »" in str(refused.value) and "« Chantier numéro 1 »" in str(refused.value)
    three.refresh_from_db()
    assert three.priority == ""
    # One « inconnu désirable », not two.
    actions.set_priority(three, Priority.INCONNU, "On en rêve", tenant_a.animateur)
    with pytest.raises(Refused, match="déjà son inconnu désirable"):
        actions.set_priority(four, Priority.INCONNU, "Nous aussi", tenant_a.animateur)
    # Withdrawing one frees a place.
    actions.set_priority(two, Priority.AUCUNE, "", tenant_a.animateur)
    actions.set_priority(four, Priority.PRIORITAIRE, "Remplace le 2", tenant_a.animateur)
    chosen = ChantierSheet.objects.filter(group=group_a, priority=Priority.PRIORITAIRE)
    assert sorted(s.chantier.title for s in chosen) == ["Chantier numéro 0", "Chantier numéro 3"]
    four.refresh_from_db()
    assert four.priority_reason == "Remplace le 2" and four.prioritised_by == tenant_a.animateur


def test_priorities_are_counted_per_group(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment former les agents d'accueil ?")
    other = next(g for g in actions.ensure_groups(tenant_a.roadmap) if g.pk != group_a.pk)
    mine = _validated_group_with(group_a, tenant_a.animateur, 2)
    theirs = _validated_group_with(other, tenant_a.animateur, 3)
    for sheet in mine:
        actions.set_priority(sheet, Priority.PRIORITAIRE, "Choix du groupe", tenant_a.animateur)
    actions.set_priority(theirs[0], Priority.PRIORITAIRE, "Choix de l'autre groupe", tenant_a.animateur)
    actions.set_priority(theirs[1], Priority.PRIORITAIRE, "Choix de l'autre groupe", tenant_a.animateur)
    with pytest.raises(Refused):
        actions.set_priority(theirs[2], Priority.PRIORITAIRE, "Un de trop", tenant_a.animateur)


def test_priorities_wait_for_the_group_validation_and_need_a_reason(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    sheet = actions.create_sheet(group_a, "Permanences en mairie")
    with pytest.raises(Refused, match="valide d'abord"):
        actions.set_priority(sheet, Priority.PRIORITAIRE, "Parce que", tenant_a.animateur)
    actions.validate_group(group_a, tenant_a.animateur, reporter="Karim")
    with pytest.raises(Refused, match="pourquoi"):
        actions.set_priority(sheet, Priority.PRIORITAIRE, "  ", tenant_a.animateur)
    group_a.refresh_from_db()
    assert group_a.reporter == "Karim" and group_a.validated_by == tenant_a.animateur


def test_an_empty_group_cannot_validate(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    with pytest.raises(Refused, match="aucune fiche"):
        actions.validate_group(group_a, tenant_a.animateur)


def test_step_4_is_done_only_when_each_enjeu_has_filled_priority_chantiers(
    tenant_a: Tenant, group_a: ChantierGroup, directory_a: dict[str, Any]
) -> None:
    roadmap = tenant_a.roadmap
    sheet = actions.create_sheet(group_a, "Bus numérique")
    # The spine's own rule: a chantier carries at least one action.
    from tests.factories import ActionFactory

    ActionFactory(roadmap=roadmap, chantier=sheet.chantier)
    step = roadmap_steps(roadmap)[4]
    assert step.status_label == "En cours"
    assert any("pas encore de chantier prioritaire" in str(m) for m in step.missing)
    actions.validate_group(group_a, tenant_a.animateur)
    actions.set_priority(sheet, Priority.PRIORITAIRE, "Le plus attendu", tenant_a.animateur)
    step = roadmap_steps(roadmap)[4]
    assert any("à compléter" in str(m) for m in step.missing)  # no « on aura réussi si », no pilot, blank
    actions.save_sheet(
        sheet,
        content(title="Bus numérique", feasibility=Feasibility.ORANGE, people=[("pilote", directory_a["mairie"])]),
    )
    step = roadmap_steps(roadmap)[4]
    assert step.missing == [], step.missing
    assert step.status_label == "Fait"
    # A new enjeu without its group's priorities: not done any more.
    EnjeuFactory(roadmap=roadmap, question="Comment équiper les associations ?")
    assert roadmap_steps(roadmap)[4].status_label == "En cours"


def test_step_status_uses_a_fixed_number_of_queries(
    tenant_a: Tenant, group_a: ChantierGroup, django_assert_num_queries: Any
) -> None:
    from chantiers.progress import chantiers_cles

    step = roadmap_steps(tenant_a.roadmap)[4]
    for n in range(3):
        actions.create_sheet(group_a, f"Chantier {n}")
    with django_assert_num_queries(1):
        chantiers_cles(step, tenant_a.roadmap)
    actions.validate_group(group_a, tenant_a.animateur)
    for sheet in ChantierSheet.objects.filter(group=group_a)[:2]:
        actions.set_priority(sheet, Priority.PRIORITAIRE, "Choix", tenant_a.animateur)
    with django_assert_num_queries(1):
        chantiers_cles(step, tenant_a.roadmap)
