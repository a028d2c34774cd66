"""Adoption workflow, frozen versions, the optional public page, and the governance bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from roadmap.models import GovernanceBody, Roadmap, RoadmapVersion
from tests.conftest import Tenant
from tests.roadmap.factories import GovernanceBodyFactory
from tests.roadmap.richdata import rich_roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _step(client: Client, roadmap: Roadmap, step: str, **data: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("roadmap:adoption", args=[roadmap.pk]), {"step": step, **data}, follow=True)


def _adopt(client: Client, roadmap: Roadmap) -> RoadmapVersion:
    _step(client, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-02-03")
    _step(
        client,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on="2026-03-12",
        deliberation_number="DEL-2026-042",
    )
    return RoadmapVersion.objects.get(roadmap=roadmap)


def test_the_workflow_from_draft_to_implementation(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    refused = _step(client_a, roadmap, "adopt", adopted_by="Conseil", adopted_on="2026-03-12", deliberation_number="1")
    assert "doit d&#x27;abord être présentée" in refused.content.decode()
    assert not RoadmapVersion.objects.exists()

    version = _adopt(client_a, roadmap)
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.ADOPTEE
    assert (roadmap.adopted_by, roadmap.deliberation_number) == ("Conseil communautaire", "DEL-2026-042")
    assert version.number == 1 and version.pdf  # the PDF of the frozen version was produced on commit

    _step(client_a, roadmap, "implement")
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.EN_MISE_EN_OEUVRE

    # Work goes on: the version stays as adopted.
    action.title = "Titre changé après l'adoption"
    action.save()
    page = client_a.get(reverse("roadmap:version_detail", args=[version.pk])).content.decode()
    assert "Des ateliers ludiques dans un bus numérique" in page
    assert "Titre changé après l&#x27;adoption" not in page
    assert "DEL-2026-042" in page and "60\u202f000,50\u00a0€" in page


def test_a_reader_sees_versions_but_cannot_adopt(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    version = _adopt(client_a, tenant_a.roadmap)
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    assert lecteur.get(reverse("roadmap:version_detail", args=[version.pk])).status_code == 200
    assert lecteur.get(reverse("roadmap:version_pdf", args=[version.pk])).status_code == 200
    assert (
        lecteur.post(reverse("roadmap:adoption", args=[tenant_a.roadmap.pk]), {"step": "implement"}).status_code == 403
    )
    assert client_b.get(reverse("roadmap:version_pdf", args=[version.pk])).status_code == 404


def test_the_public_page_is_opt_in_and_shows_the_adopted_version(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    anonymous = Client()
    url = reverse("roadmap:public", args=[roadmap.public_key])
    assert anonymous.get(url).status_code == 404  # not published
    _step(client_a, roadmap, "public", is_public="on")
    assert anonymous.get(url).status_code == 404  # published, but nothing adopted yet
    _adopt(client_a, roadmap)
    page = anonymous.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Des ateliers ludiques dans un bus numérique" in content and "DEL-2026-042" in content
    assert "Modifier" not in content and "csrfmiddlewaretoken" not in content
    assert anonymous.get(reverse("roadmap:public_pdf", args=[roadmap.public_key])).status_code == 200
    _step(client_a, roadmap, "public")  # unticked: unpublished
    assert anonymous.get(url).status_code == 404


def test_governance_bodies(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    url = reverse("roadmap:governance", args=[tenant_a.roadmap.pk])
    client_a.post(
        url,
        {
            "kind": "cotech",
            "name": "Comité technique",
            "members": "Cheffe de projet\nConseiller numérique",
            "frequency": "Tous les deux mois",
            "role": "",
        },
    )
    body = GovernanceBody.objects.get()
    assert body.organization == tenant_a.organization and body.member_lines() == [
        "Cheffe de projet",
        "Conseiller numérique",
    ]
    page = client_a.get(url).content.decode()
    assert "Comité technique" in page and "Tous les deux mois" in page
    assert client_b.get(url).status_code == 404
    assert client_b.post(reverse("roadmap:governance_delete", args=[body.pk])).status_code == 404
    other = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
    client_a.post(reverse("roadmap:governance_delete", args=[other.pk]))
    assert list(GovernanceBody.objects.all()) == [body]
