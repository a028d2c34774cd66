"""The session's workflows of workshops/actions.py: preparing, editing, groups, synthesis and post-its."""

from __future__ import annotations

import html

import pytest

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.actions import PostIt, Refused
from workshops.forms import WorkshopForm
from workshops.models import Kind, Placement, Stage, Workshop, WorkshopGroup

FORM = {
    "kind": Kind.DIX_ANS,
    "title": "Atelier de Nontron",
    "question": "Comment sera le numérique à Nontron dans 10 ans ?",
    "question_minutes": 10,
    "collection_minutes": 40,
    "vote_minutes": 20,
    "ranking_minutes": 20,
    "matrix_minutes": 30,
}


def test_a_workshop_is_prepared_with_its_groups(tenant_a: Tenant) -> None:
    form = WorkshopForm(FORM | {"groups": 3}, roadmap=tenant_a.roadmap)
    assert form.is_valid(), form.errors
    workshop = actions.create_workshop(form.save(commit=False), form.cleaned_data["groups"])
    assert workshop.organization == tenant_a.organization and workshop.roadmap == tenant_a.roadmap
    groups = list(workshop.groups.all())
    assert [g.name for g in groups] == ["Groupe 1", "Groupe 2", "Groupe 3"]
    assert len({g.code for g in groups}) == 3 and {g.organization_id for g in groups} == {tenant_a.organization.pk}


def test_a_workshop_without_a_group_is_not_recorded(tenant_a: Tenant) -> None:
    form = WorkshopForm(FORM | {"groups": 1}, roadmap=tenant_a.roadmap)
    assert form.is_valid(), form.errors
    with pytest.raises(Refused):
        actions.create_workshop(form.save(commit=False), 0)
    assert not Workshop.objects.exists()


def test_an_edit_writes_only_its_fields(tenant_a: Tenant) -> None:
    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, title="Avant")
    stale = Workshop.objects.get(pk=workshop.pk)
    actions.write_synthesis(workshop, "Notée pendant l'édition\x00")
    saved = actions.update_workshop(stale, {"title": "Après", "place": "Ribérac"})
    workshop.refresh_from_db()
    assert (workshop.title, workshop.place, workshop.synthesis) == ("Après", "Ribérac", "Notée pendant l'édition")
    assert saved.synthesis == "Notée pendant l'édition"


def test_the_type_changes_only_before_any_group_starts(tenant_a: Tenant) -> None:
    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    group = WorkshopGroupFactory(organization=tenant_a.organization, workshop=workshop)
    actions.update_workshop(workshop, {"kind": Kind.IDEES_RECUES})
    actions.set_stage(group, Stage.COLLECTION)
    with pytest.raises(Refused, match="le type d'atelier ne change plus"):
        actions.update_workshop(workshop, {"kind": Kind.TOUR_DE_TABLE, "title": "Tour de table"})
    workshop.refresh_from_db()
    assert workshop.kind == Kind.IDEES_RECUES and workshop.title != "Tour de table"
    # An item typed while the question is still shown settles the type too; other fields still change.
    actions.set_stage(group, Stage.QUESTION)
    actions.add_item(group, "Fibre partout")
    with pytest.raises(Refused):
        actions.update_workshop(workshop, {"kind": Kind.DIX_ANS})
    assert actions.update_workshop(workshop, {"kind": Kind.IDEES_RECUES, "title": "Idées reçues"}).title == (
        "Idées reçues"
    )


def test_the_edit_page_explains_a_refused_type_change(tenant_a: Tenant) -> None:
    workshop: Workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    group = WorkshopGroupFactory(organization=tenant_a.organization, workshop=workshop, stage=Stage.VOTE)
    client = tenant_a.client_for(tenant_a.animateur)
    url = tenant_a.url("workshops:workshop_edit", workshop_pk=group.workshop_id)
    response = client.post(url, FORM | {"kind": Kind.TOUR_DE_TABLE})
    assert response.status_code == 200
    assert "le type d'atelier ne change plus" in html.unescape(response.content.decode())
    assert Workshop.objects.get(pk=group.workshop_id).kind == Kind.DIX_ANS
    assert client.post(url, FORM | {"title": "Nouveau titre"}).status_code == 302
    assert Workshop.objects.get(pk=group.workshop_id).title == "Nouveau titre"


def test_groups_added_without_a_name_are_numbered(tenant_a: Tenant) -> None:
    workshop: Workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    assert actions.add_group(workshop, "  ").name == "Groupe 1"
    assert actions.add_group(workshop, "Groupe  Sud ").name == "Groupe Sud"
    assert actions.add_group(workshop, "").name == "Groupe 3"
    assert WorkshopGroup.objects.filter(workshop=workshop).count() == 3


def test_an_items_post_its_are_placed_together_or_not_at_all(tenant_a: Tenant) -> None:
    group = WorkshopGroupFactory(organization=tenant_a.organization, stage=Stage.MATRIX)
    item = ItemFactory(organization=tenant_a.organization, group=group)
    version = group.version
    with pytest.raises(Refused):
        actions.place_postits(item, {"aujourdhui": PostIt("faible", "Peu d'aidants"), "horizon": PostIt("immense")})
    assert not Placement.objects.exists()
    actions.place_postits(
        item, {"aujourdhui": PostIt("faible", "Peu d'aidants"), "horizon": PostIt("fort", "Un réseau", "Un bus")}
    )
    actions.place_postits(item, {"horizon": PostIt("moyen")})  # a drag-and-drop: the texts stay
    placements = {p.moment: (p.x, p.reason, p.what_it_takes) for p in item.placements.all()}
    assert placements == {"aujourdhui": ("faible", "Peu d'aidants", ""), "horizon": ("moyen", "Un réseau", "Un bus")}
    group.refresh_from_db()
    assert group.version == version + 2  # the projector redraws its matrix
