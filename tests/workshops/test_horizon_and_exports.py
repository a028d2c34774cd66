"""The « dans 10 ans » post-it is named after the workshop's own year, on every screen and in every export; the
tour de table's PDF holds what a tour de table gathered, not an empty table of items."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, PlacementFactory, WorkshopFactory, WorkshopGroupFactory
from tests.workshops.test_views import _results_pdf_text, g_url, text
from workshops import actions
from workshops.models import Kind, Placement, Stage, WorkshopGroup


def matrix_group(tenant: Tenant, **workshop: Any) -> WorkshopGroup:
    """A « 10 ans » group at the matrix, one item placed today and in ten years."""
    made = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, kind=Kind.DIX_ANS, **workshop)
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=made, stage=Stage.MATRIX, revealed=True)
    item = ItemFactory(
        organization=tenant.organization, group=group, number=1, label="Médiation mobile", paper_points=4
    )
    PlacementFactory(organization=tenant.organization, item=item, moment=Placement.Moment.AUJOURDHUI, x="faible")
    PlacementFactory(
        organization=tenant.organization,
        item=item,
        moment=Placement.Moment.HORIZON,
        x="fort",
        reason="Un réseau",
        what_it_takes="Un bus équipé",
    )
    return group


def csv_rows(client: Any, group: WorkshopGroup) -> list[dict[str, str]]:
    response = client.get(reverse("workshops:workshop_csv", kwargs={"workshop_pk": group.workshop.pk}))
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_a_workshop_of_december_2026_looks_ten_years_ahead_to_2036(
    tenant_a: Tenant, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    group = matrix_group(tenant_a, date=date(2026, 12, 6))
    client = tenant_a.client_for(tenant_a.animateur)

    projector = text(client.get(g_url("workshopgroup_projector", group)))
    legend = re.search(r'<div class="legend hint">(.*?)</div>', projector, re.S)
    assert legend and '<span class="postit horizon">Dans 10 ans (2036)</span>' in legend.group(1)
    assert "Médiation mobile · Dans 10 ans (2036) · Fort" in projector  # the post-it's detail
    assert "2030" not in projector

    presenter = text(client.get(g_url("workshopgroup_presenter", group)))
    assert "Que faudrait-il pour atteindre le post-it 2036\u00a0?" in presenter and "2030" not in presenter

    row = csv_rows(client, group)[0]
    assert row["Dans 10 ans (2036) — Maîtrise"] == "Fort"
    assert row["Dans 10 ans (2036) — que faudrait-il"] == "Un bus équipé"
    assert not [header for header in row if "2030" in header]

    pdf = " ".join(_results_pdf_text(tenant_a, group.workshop, client).split())
    assert "Dans 10 ans (2036) : Fort — Un réseau (il faudrait : Un bus équipé)" in pdf
    assert "2030" not in pdf


def test_the_horizon_follows_the_date_and_falls_back_on_the_day_it_was_prepared(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.animateur)
    later = matrix_group(tenant_a, date=date(2031, 3, 2))
    assert "Dans 10 ans (2041) — que faudrait-il" in csv_rows(client, later)[0]
    undated = matrix_group(tenant_a)
    prepared = undated.workshop.created_at.year
    assert undated.workshop.horizon_year == prepared + 10
    assert f"Dans 10 ans ({prepared + 10}) — que faudrait-il" in csv_rows(client, undated)[0]
    # A reason missing is refused in the same words as the wall's.
    with pytest.raises(actions.Refused, match=re.escape(f"« Dans 10 ans ({prepared + 10}) »")):
        actions.place_postits(undated.items.get(), {"horizon": actions.PostIt("moyen", "")})


def test_the_tour_de_table_pdf_prints_its_answers_not_an_empty_table_of_items(
    tenant_a: Tenant, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    tour = WorkshopFactory(
        organization=tenant_a.organization, roadmap=tenant_a.roadmap, kind=Kind.TOUR_DE_TABLE, title="Tour de Nontron"
    )
    north = WorkshopGroupFactory(organization=tenant_a.organization, workshop=tour, name="Table nord")
    south = WorkshopGroupFactory(organization=tenant_a.organization, workshop=tour, name="Table sud")
    WorkshopGroupFactory(organization=tenant_a.organization, workshop=tour, name="Table vide")
    actions.add_answer(north, "Savoir faire ses démarches en ligne", author="Lou")
    actions.add_answer(north, "Des démarches accompagnées près de chez soi", author="Sam")
    actions.add_answer(south, "Ne laisser personne seul devant un écran", author="")
    client = tenant_a.client_for(tenant_a.animateur)
    tour.synthesis = "Les démarches reviennent partout."
    tour.save()

    pdf = " ".join(_results_pdf_text(tenant_a, tour, client).split())
    assert "Tous les items" not in pdf and "Aucun item" not in pdf and "Top 10" not in pdf
    assert "3 réponses, de 3 personnes." in pdf
    assert "Les mots qui reviennent : démarches (2)" in pdf
    north_at, south_at, empty_at = (pdf.index(f"Table {name}") for name in ("nord", "sud", "vide"))
    assert north_at < pdf.index("Savoir faire ses démarches en ligne — Lou") < south_at
    assert south_at < pdf.index("Ne laisser personne seul devant un écran") < empty_at
    assert pdf.index("Aucune réponse.") > empty_at
    assert "Les démarches reviennent partout." in pdf


def test_a_ten_years_workshop_still_prints_its_items(tenant_a: Tenant, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    group = matrix_group(tenant_a, date=date(2026, 12, 6))
    pdf = " ".join(_results_pdf_text(tenant_a, group.workshop, tenant_a.client_for(tenant_a.animateur)).split())
    assert "Tous les items, dans l'ordre de la collecte" in pdf and "Médiation mobile" in pdf
    assert "réponse" not in pdf
