"""Adoption workflow, frozen versions, the optional public page, and the governance bodies."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from adoption.models import RoadmapVersion
from fiches.models import GovernanceBody
from roadmap.models import Roadmap
from tests.conftest import Tenant
from tests.roadmap.factories import GovernanceBodyFactory
from tests.roadmap.richdata import rich_roadmap

pytestmark = pytest.mark.django_db


def confirmation(client: Client, roadmap: Roadmap) -> dict[str, str]:
    """What ticking « Adopter malgré ces points » posts: the fingerprint of the points the page shows."""
    page = client.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode()
    found = re.search(r'name="gaps_fingerprint" value="([0-9a-f]*)"', page)
    return {"gaps_fingerprint": found.group(1) if found else "", "confirm_gaps": "on"}


def _step(client: Client, roadmap: Roadmap, step: str, **data: str) -> Any:
    if step == "adopt" and "gaps_fingerprint" not in data:
        data = {**confirmation(client, roadmap), **data}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("adoption:adoption", args=[roadmap.pk]), {"step": step, **data}, follow=True)


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
    page = client_a.get(reverse("adoption:version_detail", args=[version.pk])).content.decode()
    assert "Des ateliers ludiques dans un bus numérique" in page
    assert "Titre changé après l&#x27;adoption" not in page
    assert "DEL-2026-042" in page and "60\u202f000,50\u00a0€" in page


def test_a_reader_sees_versions_but_cannot_adopt(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    version = _adopt(client_a, tenant_a.roadmap)
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    assert lecteur.get(reverse("adoption:version_detail", args=[version.pk])).status_code == 200
    assert lecteur.get(reverse("adoption:version_pdf", args=[version.pk])).status_code == 200
    assert (
        lecteur.post(reverse("adoption:adoption", args=[tenant_a.roadmap.pk]), {"step": "implement"}).status_code == 403
    )
    assert client_b.get(reverse("adoption:version_pdf", args=[version.pk])).status_code == 404


def test_the_public_page_is_opt_in_and_shows_the_adopted_version(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    anonymous = Client()
    url = reverse("adoption:public", args=[roadmap.public_key])
    assert anonymous.get(url).status_code == 404  # not published
    _step(client_a, roadmap, "public", is_public="on")
    assert anonymous.get(url).status_code == 404  # published, but nothing adopted yet
    _adopt(client_a, roadmap)
    page = anonymous.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Des ateliers ludiques dans un bus numérique" in content and "DEL-2026-042" in content
    assert "Modifier" not in content and "csrfmiddlewaretoken" not in content
    assert anonymous.get(reverse("adoption:public_pdf", args=[roadmap.public_key])).status_code == 200
    _step(client_a, roadmap, "public")  # unticked: unpublished
    assert anonymous.get(url).status_code == 404


def test_governance_bodies(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    url = reverse("fiches:governance", args=[tenant_a.roadmap.pk])
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
    assert client_b.post(reverse("fiches:governance_delete", args=[body.pk])).status_code == 404
    other = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
    client_a.post(reverse("fiches:governance_delete", args=[other.pk]))
    assert list(GovernanceBody.objects.all()) == [body]


def test_a_presentation_or_an_adoption_in_the_future_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    today, tomorrow = timezone.localdate(), timezone.localdate() + timedelta(days=1)
    message = "Cette date est dans le futur"
    page = _step(client_a, roadmap, "present", presented_to="Bureau", presented_on=tomorrow.isoformat())
    assert message in page.content.decode()
    roadmap.refresh_from_db()
    assert (roadmap.status, roadmap.presented_on) == (Roadmap.Status.BROUILLON, None)

    _step(client_a, roadmap, "present", presented_to="Conseil communautaire", presented_on=today.isoformat())
    page = _step(
        client_a,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on=tomorrow.isoformat(),
        deliberation_number="DEL-1",
    )
    content = page.content.decode()
    assert message in content
    assert f'max="{today.isoformat()}"' in content  # the date picker stops at today too
    assert f'value="{tomorrow.isoformat()}"' in content  # the date typed is shown back, in the picker's format
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.PRESENTEE and roadmap.adopted_on is None
    assert not RoadmapVersion.objects.exists()

    _step(
        client_a,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on=today.isoformat(),
        deliberation_number="DEL-1",
    )
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.ADOPTEE and roadmap.adopted_on == today


def test_a_revision_opens_only_from_an_adopted_roadmap(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    url = reverse("adoption:adoption", args=[roadmap.pk])
    offer = "Ouvrir une révision"
    assert offer not in client_a.get(url).content.decode()
    refused = _step(client_a, roadmap, "reopen")
    assert "Seule une feuille de route adoptée ou en mise en œuvre peut être rouverte" in refused.content.decode()

    _step(client_a, roadmap, "present", presented_to="Conseil communautaire", presented_on="2026-02-03")
    page = client_a.get(url).content.decode()
    assert offer not in page
    assert 'name="adopted_by" value="Conseil communautaire"' in page  # pre-filled from the presentation
    _step(client_a, roadmap, "reopen")
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.PRESENTEE and roadmap.presented_to == "Conseil communautaire"

    _step(
        client_a,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on="2026-03-12",
        deliberation_number="DEL-2026-042",
    )
    for status in (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE):
        Roadmap.objects.filter(pk=roadmap.pk).update(status=status)
        assert offer in client_a.get(url).content.decode()
    _step(client_a, roadmap, "reopen")
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.BROUILLON
    assert RoadmapVersion.objects.get(roadmap=roadmap).number == 1  # the adopted version stays
    _step(client_a, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-10-01")
    page = client_a.get(url).content.decode()
    assert 'name="adopted_by" value="Conseil communautaire"' in page  # the assembly of the previous adoption


def _pdf_text(content: bytes) -> str:
    import subprocess

    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return result.stdout.decode()


def test_the_public_page_and_its_pdf_show_no_phone_number_nor_e_mail(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    action.referents = "Camille Martin, cheffe de projet, 05 53 00 00 00, camille.martin@cc-val.fr"
    action.lead_structure = "Centre social (+33 6 12 34 56 78)"
    action.save()
    _step(client_a, roadmap, "public", is_public="on")
    version = _adopt(client_a, roadmap)
    anonymous = Client()
    page = anonymous.get(reverse("adoption:public", args=[roadmap.public_key])).content.decode()
    assert "Camille Martin, cheffe de projet" in page and "Centre social" in page
    for detail in ("05 53 00 00 00", "camille.martin@cc-val.fr", "12 34 56 78"):
        assert detail not in page
    assert "[coordonnées non publiées]" in page
    public_pdf = anonymous.get(reverse("adoption:public_pdf", args=[roadmap.public_key]))
    public_text = _pdf_text(b"".join(public_pdf.streaming_content))
    assert "Camille Martin" in public_text
    assert "05 53 00 00 00" not in public_text and "camille.martin@" not in public_text
    assert "12 34 56 78" not in public_text
    # The members keep the full document they voted.
    version.refresh_from_db()
    members_text = _pdf_text(version.pdf.read())
    assert "05 53 00 00 00" in members_text and "camille.martin@cc-val.fr" in members_text


def test_a_roadmap_published_after_its_adoption_gets_its_public_pdf(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    version = _adopt(client_a, roadmap)
    assert not version.public_pdf  # not public: no public rendering made
    _step(client_a, roadmap, "public", is_public="on")
    version.refresh_from_db()
    assert version.public_pdf
    assert Client().get(reverse("adoption:public_pdf", args=[roadmap.public_key])).status_code == 200
