"""The groupe projet: members with roles and commitments, mandate, objectives, the governance bodies shared with
the roadmap (step 6), and what step 1 reports."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fiches.models import GovernanceBody
from projectgroup.models import Contact, GroupMember, Mandate, Objective
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import ContactFactory, GroupMemberFactory, MeetingFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_a_contact_or_a_member_joins_the_group_with_a_role(tenant_a: Tenant, tenant_b: Tenant) -> None:
    contact = ContactFactory(organization=tenant_a.organization, full_name="Nadia Referente", function="DGA")
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    client.post(url, {"contact": contact.pk, "role": "referent_technique", "commitment": "Orchestrer la démarche"})
    client.post(url, {"user": tenant_a.lecteur.pk, "role": "referent_politique"})
    members = {m.contact.full_name: m for m in GroupMember.objects.select_related("contact")}
    assert members["Nadia Referente"].role == "referent_technique"
    elected = Contact.objects.get(user=tenant_a.lecteur)  # a contact made from the account
    assert members[elected.full_name].role == "referent_politique" and elected.email == tenant_a.lecteur.email
    # Twice the same person: refused, said.
    response = client.post(url, {"contact": contact.pk, "role": "membre"}, follow=True)
    assert "fait déjà partie du groupe projet" in text(response)
    page = text(client.get(url))
    assert "Nadia Referente" in page and "Référent technique" in page and "Orchestrer la démarche" in page
    # Another organisation's contact or member cannot be added; its members see nothing.
    other = ContactFactory(organization=tenant_b.organization)
    client.post(url, {"contact": other.pk, "role": "membre"})
    client.post(url, {"user": tenant_b.admin.pk, "role": "membre"})
    assert GroupMember.objects.count() == 2
    assert (
        tenant_b.client_for(tenant_b.admin)
        .get(tenant_a.url("projectgroup:group", roadmap_pk=tenant_a.roadmap.pk))
        .status_code
        == 404
    )


def test_mandate_and_objectives(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    pk = {"roadmap_pk": tenant_a.roadmap.pk}
    client.post(
        reverse("projectgroup:mandate_edit", kwargs=pk),
        {
            "text": "Produire la feuille de route pour le conseil de juin.",
            "given_by": "Bureau communautaire",
            "given_on": "2026-01-15",
        },
    )
    client.post(reverse("projectgroup:objective_add", kwargs=pk), {"text": "chaque commune a un lieu d'accompagnement"})
    mandate = Mandate.objects.get()
    assert mandate.organization == tenant_a.organization and mandate.given_on == datetime.date(2026, 1, 15)
    page = text(client.get(reverse("projectgroup:group", kwargs=pk)))
    assert "Produire la feuille de route" in page and "Bureau communautaire" in page
    objective = Objective.objects.get()
    client.post(reverse("projectgroup:objective_delete", kwargs={"objective_pk": objective.pk}))
    assert not Objective.objects.exists()
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert reader.post(reverse("projectgroup:mandate_edit", kwargs=pk), {"text": "x"}).status_code == 403


def test_governance_bodies_are_the_roadmaps_own(tenant_a: Tenant) -> None:
    """A body added here is the one step 6 shows (no copy), and its next date is its next meeting's."""
    client = tenant_a.client_for(tenant_a.admin)
    pk = {"roadmap_pk": tenant_a.roadmap.pk}
    client.post(
        reverse("projectgroup:governance_add", kwargs=pk),
        {
            "kind": "copil",
            "name": "Comité de pilotage numérique",
            "frequency": "trois fois par an",
            "members": "Le président\nLa DGS",
        },
    )
    body = GovernanceBody.objects.get()
    assert body.roadmap == tenant_a.roadmap and body.organization == tenant_a.organization
    assert "Comité de pilotage numérique" in text(client.get(reverse("fiches:governance", kwargs=pk)))
    soon = timezone.now() + datetime.timedelta(days=20)
    MeetingFactory(roadmap=tenant_a.roadmap, body=body, starts_at=soon + datetime.timedelta(days=30))
    next_meeting = MeetingFactory(roadmap=tenant_a.roadmap, body=body, starts_at=soon)
    MeetingFactory(roadmap=tenant_a.roadmap, body=body, starts_at=timezone.now() - datetime.timedelta(days=3))
    page = text(client.get(reverse("projectgroup:group", kwargs=pk)))
    assert f'href="{tenant_a.path(next_meeting.get_absolute_url())}">{timezone.localtime(soon):%-d}' in page.replace(
        "\n", ""
    )


def test_step_1_reports_the_group_and_its_dates(tenant_a: Tenant) -> None:
    roadmap = tenant_a.roadmap
    step = roadmap_steps(roadmap)[1]
    assert any("Constituez le groupe projet" in str(m) for m in step.missing)
    GroupMemberFactory(roadmap=roadmap, role="referent_technique")
    GroupMemberFactory(roadmap=roadmap)
    Mandate.objects.create(roadmap=roadmap, organization=roadmap.organization, text="Mandat")
    Objective.objects.create(roadmap=roadmap, organization=roadmap.organization, text="réussi")
    today = timezone.localdate()
    MilestoneFactory(
        roadmap=roadmap,
        step=1,
        planned_start=today - datetime.timedelta(days=40),
        planned_end=today - datetime.timedelta(days=2),
    )
    step = roadmap_steps(roadmap)[1]
    assert "Groupe projet : 2 membres" in step.done and "Mandat et objectifs écrits" in step.done
    late = [str(m) for m in step.missing if "en retard" in str(m)]
    assert len(late) == 1 and late[0].startswith("Prévue du ")


def test_steps_1_and_2_cost_one_query_at_any_size(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    from projectgroup.progress import organise, shared_language

    roadmap = tenant_a.roadmap
    for size in (1, 8):
        for _ in range(size):
            GroupMemberFactory(roadmap=roadmap)
            MilestoneFactory(roadmap=roadmap, step=2)
        steps = roadmap_steps(roadmap)
        with django_assert_num_queries(1):
            organise(steps[1], roadmap)
            shared_language(steps[2], roadmap)
        with django_assert_num_queries(1):  # alone, step 2 reads its own figures
            shared_language(steps[2], roadmap)
        # A second call on the same roadmap sees fresh figures (nothing kept between calls).
        roadmap_steps(roadmap)
        GroupMemberFactory(roadmap=roadmap)
        total = GroupMember.objects.filter(roadmap=roadmap).count()
        assert f"Groupe projet\u00a0: {total} membres" in roadmap_steps(roadmap)[1].done
