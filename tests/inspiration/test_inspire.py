"""« Je m'en inspire »: an experience becomes a chantier or a fiche action of my roadmap, its source kept on
step 5's side; each experience says how many territories drew on it, counting only what may be seen."""

from __future__ import annotations

from django.test import Client

from inspiration import actions
from inspiration.models import Experience, Inspiration
from roadmap.models import Action, Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory, DefiFactory
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory


def inspire_url(tenant: Tenant, experience: Experience) -> str:
    return tenant.url("inspiration:experience_inspire", experience_pk=experience.pk)


def test_copy_into_a_new_fiche_action(tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client) -> None:
    experience = published(
        tenant_a, title="Bus numérique itinérant", description="Permanences sur les marchés.", results="300 personnes"
    )
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    client = tenant_b.client_for(tenant_b.contributeur)
    response = client.post(inspire_url(tenant_b, experience), {"target": "action", "chantier": chantier.pk})
    action = Action.objects.get(organization=tenant_b.organization)
    assert response.status_code == 302 and response["Location"].endswith(f"/fiches/{action.pk}/") or action
    assert action.title == "Bus numérique itinérant" and action.chantier == chantier
    assert action.description == "Permanences sur les marchés." and action.expected_results == "300 personnes"
    assert "Bus numérique itinérant" in action.justification and tenant_a.organization.name in action.justification
    inspiration = Inspiration.objects.get()
    assert (inspiration.organization, inspiration.experience, inspiration.action) == (
        tenant_b.organization,
        experience,
        action,
    )
    # The experience's page tells B what it drew from it.
    page = client.get(tenant_b.url("inspiration:experience", experience_pk=experience.pk)).content.decode()
    assert "Ce que nous en avons tiré" in page
    # A reader of B cannot; an outsider gets nothing.
    assert tenant_b.client_for(tenant_b.lecteur).post(inspire_url(tenant_b, experience), {}).status_code == 403
    assert outsider_client.post(inspire_url(tenant_a, experience)).status_code == 404


def test_copy_into_a_new_chantier_of_a_defi(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a, title="Réseau des aidants", description="Une formation commune.")
    defi = DefiFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    client = tenant_b.client_for(tenant_b.admin)
    client.post(inspire_url(tenant_b, experience), {"target": "chantier", "defi": defi.pk})
    chantier = Chantier.objects.get(organization=tenant_b.organization, title="Réseau des aidants")
    assert chantier.defi == defi and chantier.roadmap == tenant_b.roadmap
    assert "Une formation commune." in chantier.description
    assert Inspiration.objects.get().chantier == chantier


def test_another_organisations_chantier_cannot_be_the_target(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a)
    theirs = ChantierFactory(roadmap=tenant_a.roadmap, organization=tenant_a.organization)
    client = tenant_b.client_for(tenant_b.admin)
    response = client.post(inspire_url(tenant_b, experience), {"target": "action", "chantier": theirs.pk})
    assert response.status_code == 200  # the form again, with its error
    assert not Inspiration.objects.exists()
    assert not Action.objects.exists()


def test_how_many_territories_drew_on_it(tenant_a: Tenant, tenant_b: Tenant, tenant_c: Tenant) -> None:
    experience = published(tenant_a, title="Caravane numérique")
    for tenant in (tenant_b, tenant_b, tenant_c, tenant_a):  # B twice, and A itself: 2 territories
        chantier = ChantierFactory(roadmap=tenant.roadmap, organization=tenant.organization)
        actions.inspire_action(experience.pk, tenant.organization, tenant.admin, chantier)
    client = tenant_c.client_for(tenant_c.lecteur)
    detail = client.get(tenant_c.url("inspiration:experience", experience_pk=experience.pk)).content.decode()
    assert "2 territoires s’en sont inspirés" in detail
    listing = client.get(tenant_c.url("inspiration:experience_list")).content.decode()
    assert "2 territoires s’en sont inspirés" in listing
    single = published(tenant_a, title="Fablab")
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    actions.inspire_action(single.pk, tenant_b.organization, tenant_b.admin, chantier)
    detail = client.get(tenant_c.url("inspiration:experience", experience_pk=single.pk)).content.decode()
    assert "1 territoire s’en est inspiré" in detail
    # Withdrawn: no page, no count, for the others.
    actions.withdraw(experience)
    assert client.get(tenant_c.url("inspiration:experience", experience_pk=experience.pk)).status_code == 404
    assert "Caravane numérique" not in client.get(tenant_c.url("inspiration:experience_list")).content.decode()


def test_an_unpublished_experience_of_another_cannot_be_drawn_on(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization)
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    client = tenant_b.client_for(tenant_b.admin)
    assert client.get(inspire_url(tenant_b, experience)).status_code == 404
    assert (
        client.post(inspire_url(tenant_b, experience), {"target": "action", "chantier": chantier.pk}).status_code == 404
    )
    assert not Inspiration.objects.exists()


def test_the_roadmap_step_5_reports_it(tenant_a: Tenant, tenant_b: Tenant) -> None:
    from roadmap.steps import roadmap_steps

    step = roadmap_steps(tenant_b.roadmap)[5]
    assert step.status == "todo"
    experience = published(tenant_a)
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    actions.inspire_action(experience.pk, tenant_b.organization, tenant_b.admin, chantier)
    step = roadmap_steps(tenant_b.roadmap)[5]
    assert step.done == ["1 expérience reprise dans la feuille de route"]


def test_deleting_the_source_keeps_what_others_drew_from_it(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a, title="Source supprimée")
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    inspiration = actions.inspire_action(experience.pk, tenant_b.organization, tenant_b.admin, chantier)
    client = tenant_a.client_for(tenant_a.admin)
    client.post(tenant_a.url("inspiration:experience_delete", experience_pk=experience.pk))
    assert not Experience.objects.exists()
    inspiration.refresh_from_db()
    assert inspiration.experience is None and inspiration.action is not None
    assert "Source supprimée" in inspiration.action.justification
