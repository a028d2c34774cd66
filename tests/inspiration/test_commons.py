"""The commons: an experience is private until published, then every organisation reads its published fields only;
a withdrawal makes it a 404 again for the others, everywhere (two organisations and an outsider in each test)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from inspiration import actions
from inspiration.models import Experience, ExperienceDocument, Inspiration
from roadmap.models import Action
from tenancy.models import Organization, Role
from tests.conftest import Tenant
from tests.factories import ChantierFactory, MembershipFactory, UserFactory
from tests.inspiration.conftest import published
from tests.inspiration.factories import PDF_BYTES, ExperienceDocumentFactory, ExperienceFactory


def detail(tenant: Tenant, experience: Experience) -> str:
    return tenant.url("inspiration:experience", experience_pk=experience.pk)


def test_a_private_experience_is_a_404_to_others_and_to_outsiders(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization, title="Bus numérique des marchés")
    assert tenant_a.client_for(tenant_a.lecteur).get(detail(tenant_a, experience)).status_code == 200
    client_b = tenant_b.client_for(tenant_b.lecteur)
    assert client_b.get(detail(tenant_b, experience)).status_code == 404
    listing = client_b.get(tenant_b.url("inspiration:experience_list"), {"q": "bus numérique"})
    assert "Bus numérique des marchés" not in listing.content.decode()
    assert outsider_client.get(detail(tenant_a, experience)).status_code == 404


def test_a_published_experience_shows_only_its_published_fields(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(
        tenant_a,
        title="Tiers-lieu La Parenthèse",
        contacts="Jeanne Martin, 06 12 34 56 78",
        internal_notes="Budget réel à ne pas diffuser",
    )
    page = tenant_b.client_for(tenant_b.lecteur).get(detail(tenant_b, experience)).content.decode()
    assert "Tiers-lieu La Parenthèse" in page
    assert "Jeanne Martin" not in page  # contacts are published only on request
    assert "Budget réel" not in page  # internal notes never
    own = tenant_a.client_for(tenant_a.lecteur).get(detail(tenant_a, experience)).content.decode()
    assert "Jeanne Martin" in own and "Budget réel" in own

    experience.publish_contacts = True
    experience.save()
    page = tenant_b.client_for(tenant_b.lecteur).get(detail(tenant_b, experience)).content.decode()
    assert "Jeanne Martin" in page


def test_publish_and_withdraw_through_the_pages(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization)
    reader = tenant_a.client_for(tenant_a.lecteur)
    url = tenant_a.url("inspiration:experience_publish", experience_pk=experience.pk)
    assert reader.post(url).status_code == 403
    editor = tenant_a.client_for(tenant_a.contributeur)
    assert editor.post(url).status_code == 302
    client_b = tenant_b.client_for(tenant_b.admin)
    assert client_b.get(detail(tenant_b, experience)).status_code == 200
    # B cannot publish or withdraw A's experience.
    assert (
        client_b.post(tenant_b.url("inspiration:experience_withdraw", experience_pk=experience.pk)).status_code == 404
    )
    editor.post(tenant_a.url("inspiration:experience_withdraw", experience_pk=experience.pk))
    assert client_b.get(detail(tenant_b, experience)).status_code == 404


def test_a_withdrawal_while_another_organisation_has_the_page_open(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a, title="Caravane numérique")
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    client_b = tenant_b.client_for(tenant_b.contributeur)
    page = client_b.get(tenant_b.url("inspiration:experience_inspire", experience_pk=experience.pk))
    assert page.status_code == 200  # B's form is open…
    actions.withdraw(experience)  # …when A withdraws the experience.
    response = client_b.post(
        tenant_b.url("inspiration:experience_inspire", experience_pk=experience.pk),
        {"target": "action", "chantier": chantier.pk},
    )
    assert response.status_code == 404
    assert not Action.objects.filter(organization=tenant_b.organization, title="Caravane numérique").exists()
    assert not Inspiration.objects.exists()
    report = client_b.post(
        tenant_b.url("inspiration:experience_report", experience_pk=experience.pk), {"reason": "outdated"}
    )
    assert report.status_code == 404
    assert client_b.get(detail(tenant_b, experience)).status_code == 404


def test_the_check_runs_on_the_locked_row(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """The view found the experience published; the action, which locks it, finds it withdrawn: nothing is written."""
    experience = published(tenant_a)
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    Experience.objects.filter(pk=experience.pk).update(published_at=None)
    with pytest.raises(Http404):
        actions.inspire_action(experience.pk, tenant_b.organization, tenant_b.admin, chantier)
    assert not Inspiration.objects.exists()


def test_documents_are_served_only_to_who_may_see_them(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization)
    public_doc = ExperienceDocumentFactory(organization=tenant_a.organization, experience=experience, is_public=True)
    private_doc = ExperienceDocumentFactory(organization=tenant_a.organization, experience=experience, is_public=False)
    assert (public_doc.file.name or "").startswith(f"tenants/{tenant_a.organization.pk}/inspiration/")
    client_a, client_b = tenant_a.client_for(tenant_a.lecteur), tenant_b.client_for(tenant_b.admin)

    def get(client: Client, tenant: Tenant, document: ExperienceDocument) -> int:
        return client.get(tenant.url("inspiration:document", experiencedocument_pk=document.pk)).status_code

    assert get(client_a, tenant_a, private_doc) == 200
    assert get(client_b, tenant_b, public_doc) == 404  # not published yet
    actions.publish(experience, tenant_a.admin)
    response = client_b.get(tenant_b.url("inspiration:document", experiencedocument_pk=public_doc.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert get(client_b, tenant_b, private_doc) == 404
    actions.withdraw(experience)
    assert get(client_b, tenant_b, public_doc) == 404
    assert (
        outsider_client.get(tenant_a.url("inspiration:document", experiencedocument_pk=public_doc.pk)).status_code
        == 404
    )


def test_uploads_are_checked_by_content_and_size(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = tenant_a.url("inspiration:document_upload", experience_pk=experience.pk)
    fake = SimpleUploadedFile("rapport.pdf", b"<html>pas un PDF</html>", content_type="application/pdf")
    client.post(url, {"title": "Faux", "file": fake, "is_public": "on"})
    big = SimpleUploadedFile("gros.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    client.post(url, {"title": "Gros", "file": big, "is_public": "on"})
    assert not ExperienceDocument.objects.exists()
    good = SimpleUploadedFile("bilan.pdf", PDF_BYTES, content_type="text/plain")  # the browser's word is ignored
    client.post(url, {"title": "Bilan", "file": good, "is_public": "on"})
    document = ExperienceDocument.objects.get()
    assert document.content_type == "application/pdf"
    assert (document.file.name or "").startswith(f"tenants/{tenant_a.organization.pk}/inspiration/")
    # B cannot upload onto A's experience.
    other = SimpleUploadedFile("b.pdf", PDF_BYTES)
    assert (
        tenant_b.client_for(tenant_b.admin)
        .post(tenant_b.url("inspiration:document_upload", experience_pk=experience.pk), {"title": "B", "file": other})
        .status_code
        == 404
    )


def test_a_hub_publishes_on_behalf_of_a_territory_it_accompanies(tenant_a: Tenant, tenant_b: Tenant) -> None:
    hub = Organization.objects.create(name="Hub des territoires", kind=Organization.Kind.HUB)
    staff = UserFactory()
    MembershipFactory(user=staff, organization=hub, role=Role.CONTRIBUTEUR)
    MembershipFactory(user=staff, organization=tenant_a.organization, role=Role.LECTEUR)
    experience = ExperienceFactory(organization=hub)
    actions.publish(experience, staff, on_behalf_of=tenant_a.organization)
    experience.refresh_from_db()
    assert experience.on_behalf_of == tenant_a.organization
    page = tenant_b.client_for(tenant_b.lecteur).get(detail(tenant_b, experience)).content.decode()
    assert f"partagée par {tenant_a.organization.name}" in " ".join(page.split())
    with pytest.raises(actions.Refused):
        actions.publish(experience, staff, on_behalf_of=tenant_b.organization)  # staff is no member of B


def test_the_create_form_links_only_our_own_spine(tenant_a: Tenant, tenant_b: Tenant) -> None:
    theirs = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization, title="Chantier de Bêta")
    ours = ChantierFactory(roadmap=tenant_a.roadmap, organization=tenant_a.organization)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = tenant_a.url("inspiration:experience_create")
    assert "Chantier de Bêta" not in client.get(url).content.decode()
    data = {"title": "Bus", "territory_name": "Ribérac", "description": "Un bus.", "chantiers": [theirs.pk]}
    client.post(url, data)
    assert not Experience.objects.exists()
    client.post(url, data | {"chantiers": [ours.pk], "themes": ["itinerance"], "publics": ["seniors"]})
    experience = Experience.objects.get()
    assert experience.organization == tenant_a.organization and not experience.is_published
    assert list(experience.chantiers.all()) == [ours]
    assert tenant_a.client_for(tenant_a.lecteur).post(url, data).status_code == 403
