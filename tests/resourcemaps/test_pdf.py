"""The resource map's sheet through the document engine: the map drawn as SVG, its table, in a PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from documents.models import ExportJob
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.resourcemaps.factories import ResourceFactory


def test_the_map_sheet_is_a_pdf_with_the_drawn_map(tenant_a: Tenant, tenant_b: Tenant) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Développer des actions pour les jeunes")
    for nature, label, link, availability in (
        ("financiere", "Caisse d'allocations familiales", "solid", "acquise"),
        ("humaine", "Animateurs des accueils de loisirs", "dotted", "a_mobiliser"),
        ("technique", "Fab lab du territoire", "none", "a_mobiliser"),
        ("intellectuelle", "Réseau des conseillers numériques", "solid", "acquise"),
        ("materielle", "Robots pédagogiques", "dotted", "a_creer"),
    ):
        ResourceFactory(
            organization=tenant_a.organization,
            chantier=chantier,
            nature=nature,
            label=label,
            link=link,
            availability=availability,
        )
    client = tenant_a.client_for(tenant_a.animateur)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("resourcemaps:map_pdf", kwargs={"chantier_pk": chantier.pk}))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.kind, job.roadmap_id) == (ExportJob.Status.DONE, "resource_map_pdf", tenant_a.roadmap.pk)
    reader = tenant_a.client_for(tenant_a.lecteur)
    download = reader.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk}))
    content = b"".join(download.streaming_content)
    pdf = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S607
    flat = " ".join(pdf.split())  # pdftotext gives French non-breaking spaces as plain ones
    assert "Cartographie des ressources" in flat and "Développer des actions pour les jeunes" in flat
    # The SVG's own texts (node labels, legend) are text in the PDF, not a picture.
    assert "Trait plein : collaboration passée ou en cours" in flat
    assert "Robots pédagogiques" in flat and "trait plein" in flat and "pointillé" in flat
    assert "N'existe pas encore, à créer" in flat.replace("’", "'")
    # A page to look at.
    out = Path(settings.BASE_DIR) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    (out / "resourcemap-sheet.pdf").write_bytes(content)
    subprocess.run(  # noqa: S603
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(out / "resourcemap-sheet.pdf"),
            str(out / "resourcemap-sheet"),
        ],  # noqa: S607
        check=True,
    )
    other = tenant_b.client_for(tenant_b.admin)
    assert other.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk})).status_code == 404
    assert other.post(reverse("resourcemaps:map_pdf", kwargs={"chantier_pk": chantier.pk})).status_code == 404
    assert (
        tenant_a.client_for(tenant_a.lecteur)
        .post(reverse("resourcemaps:map_pdf", kwargs={"chantier_pk": chantier.pk}))
        .status_code
        == 403
    )
    assert ExportJob.objects.count() == 1
