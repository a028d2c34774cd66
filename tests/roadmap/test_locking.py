"""Checks that guard a write run under the row lock, with real PostgreSQL transactions in separate connections.

Of two edits started from the same version, only one is saved and the other gets the French refusal, even when both
forms were valid before either wrote. An adoption computes its snapshot before it locks the roadmap.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

import adoption.tasks
from adoption import actions as adoption_actions
from adoption.models import RoadmapVersion
from fiches import actions as fiche_actions
from fiches.forms import BudgetForm, FicheForm
from fiches.models import ActionChange, ActionExpense
from roadmap import actions as spine_actions
from roadmap.forms import EnjeuForm
from roadmap.models import Action, Enjeu, Roadmap
from tests.conftest import Tenant
from tests.factories import ActionFactory, EnjeuFactory

SAVED = "saved"
REFUSAL = "Quelqu'un a modifié"


def _rival_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """Whether another session of the test database is seen waiting for a lock (within `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.fixture
def rival_seen_waiting(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The save that takes the row lock first keeps it until the other save is seen waiting for it, so that both
    are in their transaction at once; records whether it was seen (the test fails if the saves did not overlap)."""
    seen: list[bool] = []
    lock_unchanged = spine_actions.lock_unchanged

    def lock_and_hold(*args: Any, **kwargs: Any) -> Any:
        row = lock_unchanged(*args, **kwargs)
        seen.append(_rival_waits_for_a_lock())
        return row

    monkeypatch.setattr(spine_actions, "lock_unchanged", lock_and_hold)
    monkeypatch.setattr(fiche_actions, "lock_unchanged", lock_and_hold)
    return seen


def _race(values: tuple[str, str], prepare: Callable[[str], Any], save: Callable[[Any], object]) -> list[str]:
    """Each value in its own thread and database connection: its form is built and validated, the threads wait for
    each other, then both save. Returns, in the order of `values`, SAVED or the errors the refused form shows."""
    validated = threading.Barrier(len(values))

    def attempt(value: str) -> str:
        try:
            form = prepare(value)
            assert form.is_valid(), form.errors
            validated.wait(timeout=30)
            try:
                save(form)
            except spine_actions.StaleEdit as stale:
                form.refuse_stale_edit(stale)
                return " ".join(form.non_field_errors())
            return SAVED
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(values)) as pool:
        return list(pool.map(attempt, values))


def _one_saved(results: list[str], values: tuple[str, str], refusal: str = REFUSAL) -> str:
    assert results.count(SAVED) == 1, results
    assert refusal in next(r for r in results if r != SAVED)
    return values[results.index(SAVED)]


def test_two_edits_of_an_enjeu_from_the_same_version_cannot_both_pass(
    transactional_db: None, tenant_a: Tenant, rival_seen_waiting: list[bool]
) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment faire ?")
    seen = enjeu.updated_at.isoformat()

    def prepare(question: str) -> EnjeuForm:
        item = Enjeu.objects.select_related("roadmap").get(pk=enjeu.pk)
        data = {"question": question, "description": "", "seen_version": seen}
        return EnjeuForm(data, instance=item, roadmap=item.roadmap)

    values = ("Comment faire mieux ?", "Comment faire autrement ?")
    winner = _one_saved(_race(values, prepare, spine_actions.save_spine_item), values)
    enjeu.refresh_from_db()
    assert enjeu.question == winner
    assert rival_seen_waiting == [True]


def test_two_edits_of_a_fiche_from_the_same_version_cannot_both_pass(
    transactional_db: None, tenant_a: Tenant, rival_seen_waiting: list[bool]
) -> None:
    action = ActionFactory(roadmap=tenant_a.roadmap, objective="Version de départ")
    seen = action.updated_at.isoformat()

    def prepare(objective: str) -> FicheForm:
        item = Action.objects.select_related("roadmap").get(pk=action.pk)
        data = {"title": item.title, "chantier": item.chantier_id, "objective": objective, "seen_version": seen}
        return FicheForm(data, instance=item, roadmap=item.roadmap)

    values = ("Saisie de Camille", "Saisie de Dominique")
    winner = _one_saved(_race(values, prepare, lambda form: fiche_actions.save_fiche(form, None)), values)
    action.refresh_from_db()
    assert action.objective == winner
    # One history line: the refused edit left no trace.
    assert list(ActionChange.objects.values_list("field", "new_value")) == [("objective", winner)]
    assert rival_seen_waiting == [True]


def test_two_budget_grids_from_the_same_version_cannot_both_pass(
    transactional_db: None, tenant_a: Tenant, rival_seen_waiting: list[bool]
) -> None:
    action = ActionFactory(roadmap=tenant_a.roadmap)
    seen = action.updated_at.isoformat()

    def prepare(amount: str) -> BudgetForm:
        item = Action.objects.select_related("roadmap").get(pk=action.pk)
        return BudgetForm({"seen_version": seen, "expense_fonctionnement_2025": amount}, action=item)

    values = ("111", "999")
    winner = _one_saved(
        _race(values, prepare, lambda form: fiche_actions.save_budget(form, None)),
        values,
        refusal="Quelqu'un a modifié cette fiche pendant que vous saisissiez le budget",
    )
    assert list(ActionExpense.objects.values_list("amount", flat=True)) == [Decimal(winner)]
    assert ActionChange.objects.filter(field="expense").count() == 1
    assert rival_seen_waiting == [True]


def test_an_element_deleted_during_the_edit_is_not_brought_back(tenant_a: Tenant) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap)
    form = EnjeuForm(
        {"question": "Comment revenir ?", "seen_version": enjeu.updated_at.isoformat()},
        instance=enjeu,
        roadmap=tenant_a.roadmap,
    )
    assert form.is_valid()
    Enjeu.objects.filter(pk=enjeu.pk).delete()
    with pytest.raises(spine_actions.StaleEdit) as refused:
        spine_actions.save_spine_item(form)
    form.refuse_stale_edit(refused.value)
    assert "Quelqu'un a supprimé cet élément" in " ".join(form.non_field_errors())
    assert not Enjeu.objects.exists()


# Adoption: the snapshot is computed before the roadmap is locked.

ADOPTION = adoption_actions.Adoption("Conseil communautaire", date(2026, 3, 12), "DEL-2026-042")


@pytest.fixture
def presented(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> Roadmap:
    """The roadmap, presented; the version's PDF is not rendered (its task is recorded instead)."""
    Roadmap.objects.filter(pk=tenant_a.roadmap.pk).update(
        status=Roadmap.Status.PRESENTEE, presented_to="Bureau", presented_on=date(2026, 2, 3)
    )
    monkeypatch.setattr(adoption.tasks, "render_version_pdf", SimpleNamespace(delay_on_commit=lambda pk: None))
    return Roadmap.objects.get(pk=tenant_a.roadmap.pk)


def _elsewhere(work: Callable[[], str]) -> str:
    """Run `work` in another thread, hence another database connection."""

    def run() -> str:
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


def _lock_without_waiting(pk: int) -> str:
    try:
        with transaction.atomic():
            found = list(Roadmap.objects.select_for_update(nowait=True).filter(pk=pk).values_list("pk", flat=True))
        return "locked" if found else "missing"
    except DatabaseError:
        return "busy"


def _snapshot_doing(monkeypatch: pytest.MonkeyPatch, before: Callable[[int], None]) -> list[str]:
    """Replace the snapshot by one that calls `before(call number)` first; returns the titles it snapshotted."""
    titles: list[str] = []
    roadmap_document = adoption_actions.roadmap_document

    def snapshot(roadmap: Roadmap, *args: Any, **kwargs: Any) -> Any:
        before(len(titles))
        titles.append(roadmap.title)
        return roadmap_document(roadmap, *args, **kwargs)

    monkeypatch.setattr(adoption_actions, "roadmap_document", snapshot)
    return titles


def test_the_roadmap_is_not_locked_while_its_snapshot_is_computed(
    transactional_db: None, presented: Roadmap, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []
    _snapshot_doing(monkeypatch, lambda _n: attempts.append(_elsewhere(lambda: _lock_without_waiting(presented.pk))))
    version = adoption_actions.adopt(presented, ADOPTION, None)
    assert attempts == ["locked"]  # under the old code, "busy": the adoption held the row during the snapshot
    presented.refresh_from_db()
    assert presented.status == Roadmap.Status.ADOPTEE
    assert version.snapshot["roadmap"]["status"] == "Adoptée"
    assert version.snapshot["roadmap"]["deliberation_number"] == "DEL-2026-042"


def test_a_roadmap_saved_during_its_snapshot_is_snapshotted_again(
    transactional_db: None, presented: Roadmap, monkeypatch: pytest.MonkeyPatch
) -> None:
    def retitle(call: int) -> None:
        if call == 0:
            # Someone saves the roadmap from its edit page while the snapshot is computed.
            def save() -> str:
                roadmap = Roadmap.objects.get(pk=presented.pk)
                roadmap.title = "Titre corrigé pendant l'adoption"
                roadmap.save()
                return ""

            _elsewhere(save)

    titles = _snapshot_doing(monkeypatch, retitle)
    version = adoption_actions.adopt(presented, ADOPTION, None)
    assert titles == [presented.title, "Titre corrigé pendant l'adoption"]
    assert version.snapshot["roadmap"]["title"] == "Titre corrigé pendant l'adoption"


def test_a_roadmap_reopened_during_its_snapshot_is_not_adopted(
    transactional_db: None, presented: Roadmap, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reopen(_call: int) -> None:
        Roadmap.objects.filter(pk=presented.pk).update(status=Roadmap.Status.BROUILLON)

    _snapshot_doing(monkeypatch, reopen)
    with pytest.raises(adoption_actions.TransitionError):
        adoption_actions.adopt(presented, ADOPTION, None)
    presented.refresh_from_db()
    assert presented.status == Roadmap.Status.BROUILLON and presented.adopted_by == ""
    assert not RoadmapVersion.objects.exists()


def test_two_adoptions_at_once_freeze_one_version(transactional_db: None, presented: Roadmap) -> None:
    snapshotted = threading.Barrier(2)
    real = adoption_actions.roadmap_document

    def adopt(_n: int) -> str:
        try:
            adoption_actions.adopt(presented, ADOPTION, None)
            return SAVED
        except adoption_actions.TransitionError as error:
            return str(error)
        finally:
            connection.close()

    def snapshot_then_wait(roadmap: Roadmap, *args: Any, **kwargs: Any) -> Any:
        document = real(roadmap, *args, **kwargs)
        snapshotted.wait(timeout=30)  # both double-clicks have their snapshot before either locks
        return document

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adoption_actions, "roadmap_document", snapshot_then_wait)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(adopt, range(2)))
    assert results.count(SAVED) == 1
    assert "doit d'abord être présentée" in next(r for r in results if r != SAVED)
    assert list(RoadmapVersion.objects.values_list("number", flat=True)) == [1]
