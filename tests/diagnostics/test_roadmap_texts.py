"""The diagnostic's texts as the élus read them in the roadmap PDF (#12 point 14): real plurals, no internal file
names in « Limites des données », and maps whose dots say what they are, from which source and of when."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from diagnostics.analysis import build_diagnostic
from diagnostics.synthesis import coverage_sentence
from fiches import exports
from fiches.document import roadmap_document
from territories.models import Commune
from tests.conftest import Tenant
from tests.diagnostics.test_views import dronne

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _diagnostic_pages(tenant: Tenant) -> str:
    content = exports.roadmap_document_pdf(roadmap_document(tenant.roadmap)).content
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S607
    found = re.search(r"Le territoire et son diagnostic\s+Territoire :(.*?)Les enjeux", text, re.S)
    assert found, "no diagnostic section"
    return _flat(found.group(1))


def test_the_roadmap_pdf_speaks_of_the_diagnostic_in_plain_french(dordogne: list, tenant_a: Tenant) -> None:
    dronne(tenant_a)
    text = _diagnostic_pages(tenant_a)
    # Real plurals, never « commune(s) ».
    assert "(s)" not in text
    assert "taux de pauvreté 16,3 % sur 2 communes publiées sur 16" in text
    # « Limites des données » names sources as a person does, never a file.
    limits = text.split("Limites des données :")[1]
    assert "« Évolution et structure de la population »" in limits
    assert not re.search(r"base-cc|\.csv|\.xlsx|\.json|_\d{4}", limits)
    # The maps: what a dot is, its source and vintage.
    assert "Chaque point est un lieu d'accompagnement au numérique, placé à son adresse" in text
    assert "France services (source : ANCT, liste des structures France services, 2024-08-01)" in text
    assert "Source : La MedNum / ANSA, indice de fragilité numérique (IRIS agrégés), 2019." in text


def test_one_commune_is_singular_and_several_are_plural(dordogne: list, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    far = build_diagnostic(territory, distance_km=1)  # 1 km: most communes are « beyond »
    sentence = _flat(coverage_sentence(far))
    assert re.search(
        r"\d+ habitants, soit [\d,]+ % de la population, vivent dans \d+ communes à plus de 1 km", sentence
    )
    # One commune with its poverty rate published: singular.
    published: Any = Commune.objects.filter(code="24064").first()  # Brantôme en Périgord, > 1 000 households
    assert published is not None
    territory.communes.set([published, *Commune.objects.filter(epci_siren="200041572").exclude(pk=published.pk)[:3]])
    from diagnostics.analysis import publics

    texts = [p.figure for p in publics(build_diagnostic(territory))]
    poverty = next(t for t in texts if t.startswith("taux de pauvreté"))
    assert re.search(r"sur 1 commune publiée sur 4\b", poverty), poverty


def test_the_whole_epci_poverty_rate_is_said_unavailable_not_replaced_by_a_partial_one(
    dordogne: list, tenant_a: Tenant
) -> None:
    from diagnostics.synthesis import key_figures
    from territories.models import Territory

    territory = dronne(tenant_a)
    assert territory.kind == Territory.Kind.EPCI
    poverty = next(f for f in key_figures(build_diagnostic(territory)) if f.label.startswith("Taux de pauvreté"))
    assert _flat(poverty.territory).startswith("16,3 % (sur 2 communes sur 16")
    assert "non disponible à l'échelle de l'EPCI" in poverty.note
    text = _diagnostic_pages(tenant_a)
    limits = text.split("Limites des données :")[1]
    assert "Taux de pauvreté (seuil à 60 %) — Taux de l'ensemble de l'EPCI : non disponible à l'échelle de l'EPCI" in (
        limits
    )
    # A territory that is not an EPCI has no EPCI figure to miss.
    territory.kind = Territory.Kind.AUTRE
    territory.save()
    poverty = next(f for f in key_figures(build_diagnostic(territory)) if f.label.startswith("Taux de pauvreté"))
    assert "EPCI" not in poverty.note
