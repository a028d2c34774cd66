"""A resource map names this organisation's directory only, whichever form changes it."""

from __future__ import annotations

from django.urls import reverse

from projectgroup.models import Actor, Contact
from resourcemaps.models import Resource
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.projectgroup.factories import ActorFactory, ContactFactory
from tests.resourcemaps.factories import ResourceFactory


def test_editing_a_resource_cannot_name_another_organisations_actor_or_contact(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, organization=tenant_a.organization)
    resource: Resource = ResourceFactory(organization=tenant_a.organization, chantier=chantier, label="Fablab")
    their_actor: Actor = ActorFactory(organization=tenant_b.organization, name="Structure de Bêta")
    their_contact: Contact = ContactFactory(organization=tenant_b.organization, full_name="Contact de Bêta")
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("resourcemaps:resource_edit", kwargs={"resource_pk": resource.pk})
    base = {"nature": "humaine", "label": "Fablab", "availability": "acquise", "link": "solid", "horizon": "court"}
    for wrong in ({"actor": their_actor.pk}, {"contact": their_contact.pk}):
        response = client.post(url, base | wrong)
        assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    resource.refresh_from_db()
    assert resource.actor_id is None and resource.contact_id is None and resource.link != "solid"
    page = client.get(url).content.decode()
    assert "Structure de Bêta" not in page and "Contact de Bêta" not in page
