"""The move of models out of roadmap/ (into territories/, fiches/, adoption/, documents/) keeps every row.

The database is taken back to the schema before the move, filled as a territory would have it, then migrated
forward; the rows are read back through today's models.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from adoption.models import RoadmapVersion
from documents.models import ExportJob
from fiches.models import ActionExpense, ActionFunding, Engagement, GovernanceBody
from roadmap.models import Action, Roadmap
from territories.models import Commune, Territory

BEFORE_THE_MOVE = [
    ("tenancy", "0001_initial"),
    ("roadmap", "0003_fiche_action_budget_exports"),
    ("diagnostics", "0001_initial"),
    ("workshops", "0001_initial"),
    ("territories", None),
    ("fiches", None),
    ("adoption", None),
    ("documents", None),
]


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([(app, name) for app, name in targets if name is not None]).apps


def _fill(old: Any) -> dict[str, int]:
    """What a territory had before the move, written with the models of that time."""
    organization = old.get_model("tenancy", "Organization").objects.create(name="CC Avant", slug="cc-avant")
    user = old.get_model("tenancy", "User").objects.create(email="ref@avant.test", password="!")
    commune = old.get_model("roadmap", "Commune").objects.create(code="24053", name="Brantôme", population=2100)
    territory = old.get_model("roadmap", "Territory").objects.create(organization=organization, name="Avant")
    territory.communes.add(commune)
    roadmap = old.get_model("roadmap", "Roadmap").objects.create(
        organization=organization,
        territory=territory,
        title="Feuille de route 2026",
        period_start=2026,
        period_end=2028,
    )
    common = {"organization": organization, "roadmap": roadmap}
    defi = old.get_model("roadmap", "Defi").objects.create(**common, title="Aller vers", order=1)
    chantier = old.get_model("roadmap", "Chantier").objects.create(**common, title="Itinérance", defi=defi, order=2)
    action = old.get_model("roadmap", "Action").objects.create(
        **common, chantier=chantier, title="Bus numérique", order=3
    )
    old.get_model("roadmap", "ActionExpense").objects.create(
        organization=organization, action=action, year=2026, kind="fonctionnement", amount=Decimal("12500.50")
    )
    old.get_model("roadmap", "ActionFunding").objects.create(
        organization=organization, action=action, year=2026, funder="etat", amount=Decimal("8000")
    )
    old.get_model("roadmap", "Engagement").objects.create(
        organization=organization, action=action, stakeholder="Centre social", level="appui"
    )
    old.get_model("roadmap", "GovernanceBody").objects.create(**common, kind="copil", name="COPIL")
    old.get_model("roadmap", "RoadmapVersion").objects.create(
        **common,
        number=1,
        adopted_by="Conseil communautaire",
        adopted_on=datetime.date(2026, 3, 12),
        deliberation_number="DEL-42",
        snapshot={"title": "Feuille de route 2026"},
        created_by=user,
    )
    jobs = old.get_model("roadmap", "ExportJob").objects
    roadmap_job = jobs.create(**common, kind="roadmap_pdf", status="done", file="tenants/1/roadmap/fdr.pdf")
    fiche_job = jobs.create(**common, action=action, kind="fiche_docx", status="done")
    return {"action": action.pk, "roadmap": roadmap.pk, "roadmap_job": roadmap_job.pk, "fiche_job": fiche_job.pk}


@pytest.mark.django_db(transaction=True)
def test_the_move_out_of_roadmap_keeps_every_row() -> None:
    old = _migrate(BEFORE_THE_MOVE)
    ids = _fill(old)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(leaves)

    territory = Territory.objects.get(name="Avant")
    assert list(territory.communes.values_list("code", flat=True)) == ["24053"]
    assert Commune.objects.get(code="24053").name == "Brantôme"
    roadmap = Roadmap.objects.get(pk=ids["roadmap"])
    assert roadmap.territory == territory
    action = Action.objects.get(pk=ids["action"])
    assert action.ref == "A1.2.3"
    assert ActionExpense.objects.get(action=action).amount == Decimal("12500.50")
    assert ActionFunding.objects.get(action=action).amount == Decimal("8000.00")
    assert Engagement.objects.get(action=action).stakeholder == "Centre social"
    assert GovernanceBody.objects.get(roadmap=roadmap).name == "COPIL"
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    assert (version.number, version.deliberation_number, version.snapshot) == (
        1,
        "DEL-42",
        {"title": "Feuille de route 2026"},
    )
    roadmap_job = ExportJob.objects.get(pk=ids["roadmap_job"])
    assert (roadmap_job.kind, roadmap_job.object_id, roadmap_job.subject) == (
        "roadmap_pdf",
        roadmap.pk,
        "Feuille de route 2026",
    )
    assert roadmap_job.file.name == "tenants/1/roadmap/fdr.pdf"
    fiche_job = ExportJob.objects.get(pk=ids["fiche_job"])
    assert (fiche_job.object_id, fiche_job.subject) == (action.pk, "A1.2.3 Bus numérique")
    assert list(ExportJob.objects.filter(organization=roadmap.organization).of(action)) == [fiche_job]
    # The tables carry their new app's name, and the permissions follow the models.
    tables = connection.introspection.table_names()
    assert {"territories_commune", "fiches_actionexpense", "adoption_roadmapversion", "documents_exportjob"} <= set(
        tables
    )
    assert not {"roadmap_commune", "roadmap_actionexpense", "roadmap_exportjob"} & set(tables)
    assert ContentType.objects.get_for_model(ActionExpense).app_label == "fiches"
    # New rows still get fresh ids (the sequences moved with their tables).
    first = ActionExpense.objects.order_by("pk").values_list("pk", flat=True).first()
    created = ActionExpense.objects.create(
        organization=roadmap.organization, action=action, year=2027, kind="investissement", amount=Decimal("1")
    )
    assert first is not None and created.pk > first
