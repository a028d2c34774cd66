"""The recueil: a selection of experiences printed as a PDF by the document engine, with what the organisation may
still read at the time of printing."""

from __future__ import annotations

import subprocess
import tempfile
from typing import Any

from django.test import Client

from documents.exporters import get
from documents.models import ExportJob
from documents.pdf import no_progress
from inspiration import actions
from inspiration.models import Recueil
from tests.conftest import Tenant
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory, RecueilFactory


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(["pdftotext", file.name, "-"], capture_output=True, text=True, check=True).stdout


def test_build_a_recueil_and_print_it(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ours = ExperienceFactory(
        organization=tenant_a.organization, title="Notre café numérique", internal_notes="Note interne confidentielle"
    )
    theirs = published(tenant_b, title="Leur bus itinérant", contacts="Paul Durand 06 00 00 00 00")
    hidden = ExperienceFactory(organization=tenant_b.organization, title="Projet privé de Bêta")
    client = tenant_a.client_for(tenant_a.contributeur)
    client.post(
        tenant_a.url("inspiration:recueil_list"), {"title": "Atelier du 12 mars", "roadmap": tenant_a.roadmap.pk}
    )
    recueil = Recueil.objects.get()
    url = tenant_a.url("inspiration:recueil", recueil_pk=recueil.pk)
    client.post(url, {"experiences": [ours.pk, theirs.pk, hidden.pk]})
    assert set(recueil.experiences.all()) == {ours, theirs}  # B's private experience cannot be chosen
    with django_capture_on_commit_callbacks(execute=True):  # the task is sent on commit, run inline in tests
        client.post(url, {"export": "1"})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.organization == tenant_a.organization
    assert (job.file.name or "").startswith(f"tenants/{tenant_a.organization.pk}/")
    text = pdf_text(job.file.read())
    assert "Atelier du 12 mars" in text and "Notre café numérique" in text and "Leur bus itinérant" in text
    assert "Note interne confidentielle" not in text and "Paul Durand" not in text
    # B withdraws its experience: the next print leaves it out.
    actions.withdraw(theirs)
    again = pdf_text(get("inspiration_recueil_pdf").render(recueil, no_progress).content)
    assert "Leur bus itinérant" not in again and "Notre café numérique" in again
    # The recueil and its file are A's: B and outsiders get a 404.
    assert (
        tenant_b.client_for(tenant_b.admin).get(tenant_b.url("inspiration:recueil", recueil_pk=recueil.pk)).status_code
        == 404
    )
    download = tenant_b.url("documents:export_download", exportjob_pk=job.pk)
    assert tenant_b.client_for(tenant_b.admin).get(download).status_code == 404
    assert outsider_client.get(url).status_code == 404
    assert tenant_a.client_for(tenant_a.lecteur).post(url, {"export": "1"}).status_code == 403


def test_the_list_shows_only_our_recueils(tenant_a: Tenant, tenant_b: Tenant) -> None:
    RecueilFactory(organization=tenant_b.organization, roadmap=tenant_b.roadmap, title="Recueil de Bêta")
    RecueilFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, title="Recueil d'Alpha")
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:recueil_list")).content.decode()
    assert "Recueil d&#x27;Alpha" in page and "Recueil de Bêta" not in page
