"""Step 7's pages: every member reads them, editors write, another organisation's objects are 404s."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from evaluation.models import Effect, Evaluation, Indicator, IndicatorValue
from tests.conftest import Tenant
from tests.evaluation.factories import EffectFactory, IndicatorFactory

NB = "\u00a0"


def text(response: Any) -> str:
    """The page's visible text, one space between words (non-breaking spaces kept)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def rm(tenant: Tenant) -> dict[str, int]:
    return {"roadmap_pk": tenant.roadmap.pk}


def test_every_page_opens_for_a_reader(tenant_a: Tenant) -> None:
    reader = tenant_a.client_for(tenant_a.lecteur)
    for name in ("overview", "framing", "theory", "question", "framework", "interviews", "follow_up", "analysis"):
        response = reader.get(reverse(f"evaluation:{name}", kwargs=rm(tenant_a)))
        assert response.status_code == 200, name
    assert not Evaluation.objects.exists()  # reading creates nothing


def test_a_reader_changes_nothing_and_sees_no_form(tenant_a: Tenant) -> None:
    reader = tenant_a.client_for(tenant_a.lecteur)
    url = reverse("evaluation:framing", kwargs=rm(tenant_a))
    assert reader.post(url, {"objectives": "Rendre compte"}).status_code == 403
    assert "Enregistrer le cadrage" not in text(reader.get(url))
    effect = EffectFactory(roadmap=tenant_a.roadmap)
    indicator = IndicatorFactory(roadmap=tenant_a.roadmap, effect=effect)
    page = reader.get(reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk}))
    assert "Ajouter une valeur" not in text(page)
    response = reader.post(
        reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk}), {"date": "2025-06-01", "number": "3"}
    )
    assert response.status_code == 403 and not IndicatorValue.objects.exists()
    assert not Evaluation.objects.exists()


def test_another_organisations_objects_are_404(tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client) -> None:
    foreign = IndicatorFactory(roadmap=tenant_b.roadmap, label="Indicateur secret de Bêta")
    client = tenant_a.client_for(tenant_a.admin)
    for name, kwargs in (
        ("evaluation:indicator", {"indicator_pk": foreign.pk}),
        ("evaluation:indicator_edit", {"indicator_pk": foreign.pk}),
        ("evaluation:effect_edit", {"effect_pk": foreign.effect.pk}),
        ("evaluation:framework", {"roadmap_pk": tenant_b.roadmap.pk}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert client.post(reverse("evaluation:indicator_delete", kwargs={"indicator_pk": foreign.pk})).status_code == 404
    assert Indicator.objects.filter(pk=foreign.pk).exists()
    # Nor does another organisation's name show on our pages.
    assert "secret de Bêta" not in text(client.get(reverse("evaluation:framework", kwargs=rm(tenant_a))))
    # Someone of no organisation gets nothing either.
    url = tenant_b.url("evaluation:indicator", indicator_pk=foreign.pk)
    assert outsider_client.get(url).status_code == 404


def test_framing_is_saved_by_an_editor(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:framing", kwargs=rm(tenant_a))
    response = client.post(
        url,
        {
            "objectives": "Rendre compte aux élus et ajuster les actions.",
            "context": "Première feuille de route",
            "team": "Référente technique et deux conseillers numériques",
            "method": "retrospective",
            "activities_evaluated": "Ateliers et permanences",
            "calendar": "Bilan à chaud en juin, à froid en décembre",
            "targets": "Élus, financeurs",
            "resources": "Trois jours par trimestre",
            "periodicity": "Tous les six mois",
        },
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.organization == tenant_a.organization and evaluation.framing_filled
    page = text(client.get(reverse("evaluation:overview", kwargs=rm(tenant_a))))
    assert "Rendre compte aux élus" in page and "Rétrospective" in page


def test_theory_of_change_is_drawn_and_covers_defis_and_actions(tenant_a: Tenant, tenant_b: Tenant) -> None:
    from tests.factories import ActionFactory, DefiFactory

    defi = DefiFactory(roadmap=tenant_a.roadmap, title="Accompagner les publics éloignés")
    action = ActionFactory(roadmap=tenant_a.roadmap, title="Permanences itinérantes", chantier__defi=defi)
    foreign_defi = DefiFactory(roadmap=tenant_b.roadmap)
    client = tenant_a.client_for(tenant_a.admin)
    url = reverse("evaluation:theory", kwargs=rm(tenant_a))
    boxes = {
        "need": "Des habitants isolés du numérique",
        "vision": "Le numérique au service du lien social",
        "activities": "Ateliers, permanences, formation des aidants",
        "outputs": "Douze permanences par mois",
        "results": "300 personnes accompagnées",
        "impact": "Des habitants autonomes dans leurs démarches",
    }
    refused = client.post(url, boxes | {"covered_defis": [foreign_defi.pk]})
    assert refused.status_code == 200 and not Evaluation.objects.exists()  # another organisation's défi: refused
    assert "Des habitants isolés du numérique" in refused.content.decode()  # what was typed comes back
    client.post(url, boxes | {"covered_defis": [defi.pk], "covered_actions": [action.pk]})
    evaluation = Evaluation.objects.get()
    assert evaluation.theory_filled and list(evaluation.covered_actions.all()) == [action]
    page = client.get(reverse("evaluation:overview", kwargs=rm(tenant_a))).content.decode()
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="toc-diagram"') :]
    svg = svg[: svg.index("</svg>")]
    for title in ("BESOIN SOCIAL", "VISION", "ACTIVITÉS", "RÉALISATIONS", "RÉSULTATS", "IMPACT"):
        assert title in svg
    assert "Des habitants isolés du numérique" in svg and "Accompagner les publics éloignés" in svg
    assert "Permanences itinérantes" in svg
    assert svg.count("marker-end") == 5  # the five arrows in reading order


def test_the_evaluative_question_is_assembled_from_four_parts(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:question", kwargs=rm(tenant_a))
    partial = client.post(url, {"question_object": "la feuille de route", "question_verb": "a-t-elle renforcé"})
    page = text(partial)
    assert "Complétez les quatre parties" in page and not Evaluation.objects.exists()
    assert 'value="a-t-elle renforcé"' in partial.content.decode()
    client.post(
        url,
        {
            "question_object": "la feuille de route",
            "question_verb": "a-t-elle renforcé",
            "question_effect": "la coopération",
            "question_public": "entre les acteurs du territoire",
        },
    )
    expected = (
        f"Dans quelle mesure la feuille de route a-t-elle renforcé la coopération entre les acteurs du territoire{NB}?"
    )
    assert Evaluation.objects.get().question == expected
    assert expected in text(client.get(reverse("evaluation:analysis", kwargs=rm(tenant_a))))


def test_indicators_are_checked_against_the_four_criteria(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    client.post(
        reverse("evaluation:framework", kwargs=rm(tenant_a)),
        {"title": "Une dynamique d'acteurs", "hypothesis": "Se rencontrer fait coopérer."},
    )
    effect = Effect.objects.get()
    url = reverse("evaluation:indicator_create", kwargs={"effect_pk": effect.pk})
    base = {
        "effect": effect.pk,
        "label": "Nombre de rencontres entre acteurs",
        "kind": "quantitatif",
        "unit": "rencontres",
        "source": "Agents de la collectivité",
        "collection": "internes",
        "timing": "a_chaud",
        "target_value": "12",
        "target_date": "2026-12-31",
        "pertinent": "on",
        "partage": "on",
    }
    assert client.post(url, base).status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.target_value == 12 and not indicator.meets_criteria
    page = text(client.get(reverse("evaluation:framework", kwargs=rm(tenant_a))))
    assert f"À revoir{NB}: pas encore précis, possible." in page
    # A qualitative indicator with a numeric target, a target date far outside the roadmap: refused, kept.
    refused = client.post(
        url, base | {"label": "Confiance entre acteurs", "kind": "qualitatif", "target_date": "2040-01-01"}
    )
    page = text(refused)
    assert "Un indicateur qualitatif n'a pas de cible chiffrée" in page
    assert "La date de la cible doit tomber entre 2024 et 2029" in page
    assert 'value="Confiance entre acteurs"' in refused.content.decode()
    assert Indicator.objects.count() == 1


def test_values_are_entered_with_their_type_and_dates_checked(tenant_a: Tenant) -> None:
    indicator = IndicatorFactory(roadmap=tenant_a.roadmap, unit="personnes", target_value=40)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk})
    wrong = client.post(url, {"date": "2025-03-10", "number": "beaucoup", "source": "Émargements", "comment": "x"})
    page = text(wrong)
    assert f"«{NB}beaucoup{NB}» n'est pas un nombre" in page and not IndicatorValue.objects.exists()
    assert 'value="Émargements"' in wrong.content.decode()  # the typed form comes back filled
    outside = text(client.post(url, {"date": "2019-03-10", "number": "12"}))
    assert "La date doit être comprise entre le 01/01/2024" in outside and not IndicatorValue.objects.exists()
    client.post(url, {"date": "2025-03-10", "number": "12,5", "source": "Émargements"})
    client.post(url, {"date": "2025-09-10", "number": "30"})
    assert [v.number for v in IndicatorValue.objects.order_by("date")] == [12.5, 30]
    body = client.get(url).content.decode()
    chart = body[body.index('class="indicator-chart"') :]
    assert "Cible" in chart and "12,5" in chart and "<polyline" in chart
    assert "75" in text(client.get(url))  # 30 out of 40: 75 % of the target

    qualitative: Indicator = IndicatorFactory(roadmap=tenant_a.roadmap, kind="qualitatif", unit="")
    url = reverse("evaluation:indicator", kwargs={"indicator_pk": qualitative.pk})
    assert "qualitatif" in text(client.post(url, {"date": "2025-03-10", "text": ""}))
    client.post(url, {"date": "2025-03-10", "text": "Les acteurs se connaissent mieux"})
    assert IndicatorValue.objects.filter(indicator=qualitative).get().text == "Les acteurs se connaissent mieux"


def test_an_internal_indicator_is_computed_never_typed(tenant_a: Tenant) -> None:
    from django.utils import timezone

    from tests.projectgroup.factories import AttendanceFactory, MeetingFactory

    past = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(roadmap=tenant_a.roadmap, starts_at=past)
    MeetingFactory(roadmap=tenant_a.roadmap, starts_at=past)
    AttendanceFactory(organization=tenant_a.organization, meeting=meeting)
    indicator = IndicatorFactory(roadmap=tenant_a.roadmap, internal="meetings", unit="réunions")
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk})
    page = text(client.get(url))
    assert "2 réunions aujourd'hui" in page and "Ajouter une valeur" not in page
    client.post(url, {"date": "2025-03-10", "number": "99"})
    assert not IndicatorValue.objects.exists()


def test_the_framework_shows_the_computed_value_of_internal_indicators(tenant_a: Tenant) -> None:
    from django.utils import timezone

    from tests.projectgroup.factories import MeetingFactory

    past = timezone.now() - datetime.timedelta(days=2)
    for _n in range(3):
        MeetingFactory(roadmap=tenant_a.roadmap, starts_at=past)
    IndicatorFactory(roadmap=tenant_a.roadmap, internal="meetings", unit="réunions", label="Réunions tenues")
    page = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("evaluation:framework", kwargs=rm(tenant_a))))
    row = page[page.index("Réunions tenues") :]
    assert "3 réunions" in row[:400]  # the « dernière valeur » column, computed, not « — »


def test_the_recorded_figures_agree_with_their_number(tenant_a: Tenant) -> None:
    from django.utils import timezone

    from tests.projectgroup.factories import MeetingFactory

    MeetingFactory(roadmap=tenant_a.roadmap, starts_at=timezone.now() - datetime.timedelta(days=2))
    page = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("evaluation:analysis", kwargs=rm(tenant_a))))
    assert "1 réunion tenue " in page and "réunions tenues" not in page
