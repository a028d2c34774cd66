"""Steps 1–2 in a browser: the check-in on a phone (360 px) by QR code, the key figures on a projector (1280×720)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from diagnostics.importers import Scope, import_folder
from diagnostics.models import CommuneStatistic
from projectgroup.models import Attendance
from territories.models import Commune
from tests.conftest import Tenant
from tests.projectgroup.factories import ContactFactory, MeetingFactory, MeetingInvitationFactory


def _no_horizontal_scroll(page: Page) -> None:
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes


def test_an_attendee_checks_in_on_a_phone(
    open_page: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    meeting = MeetingFactory(
        roadmap=tenant_a.roadmap,
        title="Groupe projet de lancement",
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    names = ["Émilie Durand", "Marc Dupuis", "Chloé Martin", "Éric Lemoine"]
    for name in names:
        contact = ContactFactory(organization=tenant_a.organization, full_name=name)
        MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting, contact=contact)
    phone = open_page("phone")
    phone.goto(reverse("projectgroup:checkin", kwargs={"token": meeting.checkin_token}))
    expect(phone.get_by_role("heading", name="Groupe projet de lancement")).to_be_visible()
    # Typing the first letters, without the accent, leaves only the matching names.
    phone.get_by_label("Les premières lettres de votre nom").fill("emi")
    expect(phone.get_by_role("button", name="Émilie Durand")).to_be_visible()
    expect(phone.get_by_role("button", name="Marc Dupuis")).to_be_hidden()
    button = phone.get_by_role("button", name="Émilie Durand")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44
    _no_horizontal_scroll(phone)
    screenshot(phone, "projectgroup-checkin-phone", full_page=False)
    button.click()
    expect(phone.get_by_text("votre présence à « Groupe projet de lancement » est enregistrée")).to_be_visible()
    # Someone not invited adds themselves.
    other = open_page("phone")
    other.goto(reverse("projectgroup:checkin", kwargs={"token": meeting.checkin_token}))
    expect(other.get_by_role("button", name="Émilie Durand")).to_have_count(0)  # already present
    other.get_by_label("Votre nom et prénom").fill("Jo Nouveau")
    other.get_by_label("Votre structure").fill("Centre social")
    other.get_by_role("button", name="Je suis présent").click()
    expect(other.get_by_role("heading", name="Merci !")).to_be_visible()
    _no_horizontal_scroll(other)
    assert sorted(Attendance.objects.values_list("name", flat=True)) == ["Jo Nouveau", "Émilie Durand"]


def test_the_key_figures_fit_a_projector_without_scrolling(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    import_folder(Path(settings.CAP_DATA_DIR), Scope.for_departements("24"))
    # Four towns with their poverty rate published, and a village where it is secret (under 1 000 ménages fiscaux).
    village = CommuneStatistic.objects.filter(indicator="taux_pauvrete", organization=None, is_secret=True).first()
    assert village is not None
    tenant_a.roadmap.territory.communes.set(
        Commune.objects.filter(code__in=["24053", "24352", "24037", "24322", village.commune_id])
    )
    projector = login(open_page("projector"), tenant_a.lecteur)
    projector.goto(reverse("projectgroup:key_figures", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    cards = projector.locator(".kf-card")
    expect(cards.first).to_be_visible()
    count = cards.count()
    assert 4 <= count <= 8
    sizes = projector.evaluate(
        "() => [document.documentElement.scrollHeight, window.innerHeight,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    for index in range(count):
        card = cards.nth(index)
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, (index, box)
        # Each figure shows its source, inside its card.
        source = card.locator(".kf-source").bounding_box()
        assert source is not None and source["y"] + source["height"] <= box["y"] + box["height"] + 1
    expect(projector.get_by_text("Indice de fragilité numérique (global)")).to_be_visible()
    # A rate published for some communes only says so on its card, readable and inside it.
    poverty = projector.locator(".kf-card", has_text="Taux de pauvreté")
    coverage = poverty.locator(".kf-coverage")
    expect(coverage).to_have_text(re.compile(r"sur \d communes? sur 5, \d+\s% des habitants"))
    card_box, coverage_box = poverty.bounding_box(), coverage.bounding_box()
    assert card_box and coverage_box
    assert coverage_box["y"] + coverage_box["height"] <= card_box["y"] + card_box["height"]
    assert float(coverage.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
    screenshot(projector, "projectgroup-key-figures-projector", full_page=False)
