"""Delete confirmations that say the damage, and the bin that keeps deleted spine elements for 30 days."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action, BinEntry, Chantier, Defi
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory
from tests.roadmap.factories import ActionExpenseFactory, ActionFundingFactory, EngagementFactory

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _chantier_with_fiches(tenant: Tenant) -> Chantier:
    defi = DefiFactory(roadmap=tenant.roadmap, title="Former les aidants")
    chantier: Chantier = ChantierFactory(roadmap=tenant.roadmap, defi=defi, title="Un bus numérique")
    chantier.enjeux.add(EnjeuFactory(roadmap=tenant.roadmap))
    for _ in range(2):
        action = ActionFactory(roadmap=tenant.roadmap, chantier=chantier)
        for year in (2025, 2026):
            ActionExpenseFactory(action=action, year=year)
        ActionFundingFactory(action=action)
    EngagementFactory(action=action)
    return chantier


def test_deleting_a_chantier_names_its_fiches_budgets_and_history(tenant_a: Tenant, client_a: Client) -> None:
    chantier = _chantier_with_fiches(tenant_a)
    page = _text(client_a.get(reverse("roadmap:chantier_delete", args=[chantier.pk])))
    assert "Sont aussi supprimés : 2 actions" in page
    assert "4 dépenses" in page and "2 financements" in page and "1 engagement" in page
    assert "corbeille" in page and "30 jours" in page


def test_deleting_a_defi_says_its_chantiers_stay(tenant_a: Tenant, client_a: Client) -> None:
    chantier = _chantier_with_fiches(tenant_a)
    page = _text(client_a.get(reverse("roadmap:defi_delete", args=[chantier.defi_id])))
    assert "Rien d'autre n'est supprimé." in page
    assert "Restent : 1 chantier, conservé sans « défi »." in page
    assert "est supprimé avec lui" not in page  # the old generic sentence, false for a défi


def test_a_deleted_chantier_goes_to_the_bin_and_comes_back_whole(tenant_a: Tenant, client_a: Client) -> None:
    chantier = _chantier_with_fiches(tenant_a)
    enjeux = list(chantier.enjeux.values_list("pk", flat=True))
    before = (Action.objects.count(), ActionExpense.objects.count(), ActionFunding.objects.count())
    client_a.post(reverse("roadmap:chantier_delete", args=[chantier.pk]))
    assert not Chantier.objects.filter(pk=chantier.pk).exists() and not Action.objects.exists()
    assert Defi.objects.filter(pk=chantier.defi.pk if chantier.defi else 0).exists()

    # A reader sees the bin, cannot restore.
    entry = BinEntry.objects.get()
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    page = _text(lecteur.get(reverse("roadmap:bin", args=[tenant_a.roadmap.pk])))
    assert "Un bus numérique" in page and "restaurable encore 30 jours" in page and "Restaurer" not in page
    assert lecteur.post(reverse("roadmap:bin_restore", args=[entry.pk])).status_code == 403

    client_a.post(reverse("roadmap:bin_restore", args=[entry.pk]))
    restored = Chantier.objects.get(pk=chantier.pk)
    assert restored.defi_id == chantier.defi_id and list(restored.enjeux.values_list("pk", flat=True)) == enjeux
    assert (Action.objects.count(), ActionExpense.objects.count(), ActionFunding.objects.count()) == before
    assert not BinEntry.objects.exists()


def test_the_bin_forgets_after_30_days(tenant_a: Tenant, client_a: Client) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment garder trente jours ?")
    client_a.post(reverse("roadmap:enjeu_delete", args=[enjeu.pk]))
    BinEntry.objects.update(deleted_at=timezone.now() - timedelta(days=31))
    page = _text(client_a.get(reverse("roadmap:bin", args=[tenant_a.roadmap.pk])))
    assert "La corbeille est vide." in page and not BinEntry.objects.exists()
