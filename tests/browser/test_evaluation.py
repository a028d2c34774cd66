"""Step 7 in a browser: the evaluative question previewed while it is typed, an indicator flagged when it misses a
criterion, a value refused then accepted without retyping, and the analysis page with its drawings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from evaluation.models import Indicator, IndicatorValue
from tests.conftest import Tenant
from tests.evaluation.factories import EffectFactory, EvaluationFactory, IndicatorFactory, IndicatorValueFactory

NB = "\u00a0"


def test_question_preview_and_indicator_criteria(
    tenant_a: Tenant, page: Page, login: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    login(page, tenant_a.contributeur)
    page.goto(reverse("evaluation:question", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    preview = page.locator("#question-preview")
    expect(preview).to_have_text("Complétez les quatre parties ci-dessous.")
    page.get_by_label("Objet évalué").fill("la feuille de route")
    # While a part is missing its placeholder shows, so the shape of the question stays readable.
    expect(preview).to_contain_text("Dans quelle mesure la feuille de route [a-t-elle renforcé]")
    page.get_by_label("Verbe d'action").fill("a-t-elle renforcé")
    page.get_by_label("Effet recherché").fill("la coopération")
    page.get_by_label("Public visé").fill("entre les acteurs du territoire")
    expected = (
        f"Dans quelle mesure la feuille de route a-t-elle renforcé la coopération entre les acteurs du territoire{NB}?"
    )
    expect(preview).to_have_text(expected)
    screenshot(page, "evaluation-question")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator(".messages")).to_contain_text("Question évaluative enregistrée")
    expect(preview).to_have_text(expected)

    page.get_by_role("link", name="Référentiel d'impact").click()
    page.get_by_label("Effet attendu").fill("Une dynamique d'acteurs")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_role("link", name="Ajouter un indicateur").click()
    page.locator("#id_label").fill("Nombre de rencontres entre acteurs")
    page.get_by_label("Quantitatif (un nombre)").check()
    page.get_by_label("Cible (nombre)").fill("12")
    page.get_by_label("Pertinent").check()
    page.get_by_label("Partagé").check()
    page.get_by_label("Possible").check()
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    row = page.locator("tr.flagged")
    expect(row).to_contain_text("Nombre de rencontres entre acteurs")
    expect(row).to_contain_text(f"À revoir{NB}: pas encore précis.")
    # The four criteria are visible checkboxes, three ticked.
    expect(row.locator("input[type=checkbox]:checked")).to_have_count(3)
    screenshot(page, "evaluation-framework")


def test_a_refused_value_keeps_what_was_typed_and_the_analysis_draws(
    tenant_a: Tenant, page: Page, login: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    EvaluationFactory(roadmap=tenant_a.roadmap, need="Des habitants éloignés du numérique", impact="Plus d'autonomie")
    effect = EffectFactory(roadmap=tenant_a.roadmap, title="Des habitants plus autonomes")
    indicator: Indicator = IndicatorFactory(
        roadmap=tenant_a.roadmap,
        effect=effect,
        label="Personnes accompagnées",
        target_value=300,
        target_date=datetime.date(2026, 12, 31),
    )
    IndicatorValueFactory(indicator=indicator, date=datetime.date(2025, 3, 1), number=80)
    login(page, tenant_a.contributeur)
    page.goto(reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk}))
    page.get_by_label("Date de la mesure").fill("2025-09-01")
    page.get_by_label("Valeur").fill("cent soixante-dix")
    page.get_by_label("Source").fill("Registre des permanences")
    page.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.locator(".errorlist")).to_contain_text(f"«{NB}cent soixante-dix{NB}» n'est pas un nombre")
    expect(page.get_by_label("Source")).to_have_value("Registre des permanences")  # nothing to retype
    page.get_by_label("Valeur").fill("170")
    page.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.locator(".messages")).to_contain_text("Valeur enregistrée")
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 2
    page.get_by_role("link", name="Analyse et rapport").click()
    chart = page.locator("svg.indicator-chart")
    expect(chart).to_have_count(1)
    expect(chart).to_contain_text("170")
    diagram = page.locator("svg.toc-diagram")
    expect(diagram).to_contain_text("Des habitants éloignés du numérique")
    box = diagram.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280  # the diagram fits the page width
    screenshot(page, "evaluation-analysis")
    page.get_by_role("link", name="Théorie du changement").click()
    expect(page.get_by_label("Besoin social")).to_have_value("Des habitants éloignés du numérique")
    screenshot(page, "evaluation-theory")


def test_follow_up_and_analysis_fit_a_phone(
    tenant_a: Tenant, open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    from tests.evaluation.factories import FollowUpFactory
    from tests.factories import ActionFactory

    action = ActionFactory(roadmap=tenant_a.roadmap, title="Permanences itinérantes dans les bourgs")
    FollowUpFactory(action=action, status="en_cours", progress=40, started_on=datetime.date(2025, 2, 1), note="Lancé")
    ActionFactory(roadmap=tenant_a.roadmap, chantier=action.chantier, title="Réseau des aidants")
    page = login(open_page("phone"), tenant_a.lecteur)
    for name in ("follow_up", "analysis"):
        page.goto(reverse(f"evaluation:{name}", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
        # Wide tables scroll inside their region; the page itself never scrolls sideways.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, name
        screenshot(page, f"evaluation-{name}-phone")
    page.goto(reverse("evaluation:follow_up", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    expect(page.locator("progress.eval-progress").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("20\u00a0%")  # the chantier: (40 + 0) / 2
