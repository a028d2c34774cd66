"""Step 7's rows stay in their organisation, readers and strangers change nothing, and an indicator keeps its
reference and type once values hang on it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evaluation.models import (
    Effect,
    Evaluation,
    FollowUp,
    Indicator,
    IndicatorValue,
    Interview,
    InterviewGuide,
    RealisedExpense,
    Verbatim,
)
from roadmap.models import Action
from tests.conftest import Tenant
from tests.evaluation.factories import (
    EffectFactory,
    FollowUpFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InterviewFactory,
    InterviewGuideFactory,
    VerbatimFactory,
)
from tests.evaluation.test_pages import NB, rm, text
from tests.factories import ActionFactory

PARENTS = {
    "evaluation": "roadmap",
    "effect": "roadmap",
    "indicator": "roadmap",
    "indicatorvalue": "indicator",
    "interviewguide": "roadmap",
    "interview": "roadmap",
    "verbatim": "interview",
    "followup": "action",
    "realisedexpense": "action",
    "realisedfunding": "action",
}


def _mismatched_rows() -> list[str]:
    wrong = []
    for model in apps.get_app_config("evaluation").get_models():
        parent = PARENTS[str(model._meta.model_name)]  # a new model must say who its parent is
        for row in model.objects.select_related(parent):
            if row.organization_id != getattr(row, parent).organization_id:
                wrong.append(f"{model.__name__} {row.pk}")
    return wrong


def test_rows_written_through_the_pages_carry_their_parents_organisation(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    action = ActionFactory(roadmap=tenant_a.roadmap)
    client.post(reverse("evaluation:framing", kwargs=rm(tenant_a)), {"objectives": "Rendre compte"})
    client.post(reverse("evaluation:framework", kwargs=rm(tenant_a)), {"title": "Des acteurs qui coopèrent"})
    effect = Effect.objects.get()
    client.post(
        reverse("evaluation:indicator_create", kwargs={"effect_pk": effect.pk}),
        {"effect": effect.pk, "label": "Rencontres", "kind": "quantitatif", "collection": "autre", "timing": "a_chaud"},
    )
    indicator = Indicator.objects.get()
    client.post(
        reverse("evaluation:indicator", kwargs={"indicator_pk": indicator.pk}), {"date": "2025-03-01", "number": "3"}
    )
    upload = SimpleUploadedFile("v.csv", f"indicateur;date;valeur\n{indicator.ref};01/06/2025;5\n".encode())
    client.post(reverse("evaluation:values_import", kwargs=rm(tenant_a)), {"file": upload})
    url = reverse("evaluation:interviews", kwargs=rm(tenant_a))
    client.post(url, {"add": "guide", "guide-title": "Trame", "guide-questions": "Quoi de neuf ?"})
    client.post(url, {"add": "interview", "interview-interviewee": "Élue", "interview-held_on": "2025-05-12"})
    interview = Interview.objects.get()
    client.post(reverse("evaluation:interview", kwargs={"interview_pk": interview.pk}), {"quote": "On se parle."})
    client.post(
        reverse("evaluation:action_follow_up", kwargs={"action_pk": action.pk}),
        {"status": "en_cours", "started_on": "2025-02-01", "progress": "20", f"expense_fonctionnement_{2025}": "300"},
    )
    assert Evaluation.objects.count() == 1 and IndicatorValue.objects.count() == 2
    assert InterviewGuide.objects.count() == 1 and Verbatim.objects.count() == 1
    assert FollowUp.objects.count() == 1 and RealisedExpense.objects.count() == 1
    assert _mismatched_rows() == []


def test_a_row_naming_another_organisation_than_its_parents_is_never_written(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    indicator: Indicator = IndicatorFactory(roadmap=tenant_a.roadmap)
    with pytest.raises(ValueError, match="organisation"):
        IndicatorValue(
            organization=tenant_b.organization, indicator=indicator, date=datetime.date(2025, 6, 1), number=3
        ).save()
    interview: Interview = InterviewFactory(roadmap=tenant_a.roadmap)
    foreign_effect: Effect = EffectFactory(roadmap=tenant_b.roadmap)
    with pytest.raises(ValueError, match="organisation"):
        Verbatim(organization=tenant_b.organization, interview=interview, quote="x").save()
    with pytest.raises(ValueError, match="another roadmap"):
        Verbatim(interview=interview, effect=foreign_effect, quote="x").save()
    with pytest.raises(ValueError, match="another roadmap"):
        IndicatorFactory(roadmap=tenant_a.roadmap, effect=EffectFactory(roadmap=tenant_b.roadmap))
    foreign_guide: InterviewGuide = InterviewGuideFactory(roadmap=tenant_b.roadmap)
    with pytest.raises(ValueError, match="another roadmap"):
        Interview(
            roadmap=tenant_a.roadmap,
            guide=foreign_guide,
            interviewee="Élue",
            held_on=datetime.date(2025, 5, 12),
        ).save()
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    with pytest.raises(ValueError, match="organisation"):
        FollowUp(organization=tenant_b.organization, action=action).save()
    # Left empty, the organisation is the parent's.
    value = IndicatorValue(indicator=indicator, date=datetime.date(2025, 6, 1), number=3)
    value.save()
    assert value.organization == tenant_a.organization
    assert IndicatorValue.objects.count() == 1 and not Verbatim.objects.exists() and not FollowUp.objects.exists()
    assert not Interview.objects.exclude(pk=interview.pk).exists()
    assert _mismatched_rows() == []


def test_another_organisations_choices_are_refused_and_nothing_saved(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    effect = EffectFactory(roadmap=tenant_a.roadmap)
    indicator = IndicatorFactory(roadmap=tenant_a.roadmap, effect=effect, label="Rencontres d'acteurs")
    foreign_effect = EffectFactory(roadmap=tenant_b.roadmap)
    foreign_action = ActionFactory(roadmap=tenant_b.roadmap)
    foreign_guide = InterviewGuideFactory(roadmap=tenant_b.roadmap)
    theory = client.post(
        reverse("evaluation:theory", kwargs=rm(tenant_a)),
        {"need": "Des habitants isolés", "covered_actions": [foreign_action.pk]},
    )
    assert theory.status_code == 200 and not Evaluation.objects.exists()
    indicator_fields = {"label": "Confiance", "kind": "quantitatif", "collection": "autre", "timing": "a_chaud"}
    created = client.post(
        reverse("evaluation:indicator_create", kwargs={"effect_pk": effect.pk}),
        indicator_fields | {"effect": foreign_effect.pk},
    )
    assert created.status_code == 200 and Indicator.objects.filter(roadmap=tenant_a.roadmap).count() == 1
    edited = client.post(
        reverse("evaluation:indicator_edit", kwargs={"indicator_pk": indicator.pk}),
        indicator_fields | {"effect": foreign_effect.pk},
    )
    assert edited.status_code == 200 and "Sélectionnez un choix valide" in text(edited)
    indicator.refresh_from_db()
    assert indicator.effect == effect and indicator.label == "Rencontres d'acteurs"
    interview = client.post(
        reverse("evaluation:interviews", kwargs=rm(tenant_a)),
        {
            "add": "interview",
            "interview-guide": foreign_guide.pk,
            "interview-interviewee": "Élue",
            "interview-held_on": "2025-05-12",
        },
    )
    assert interview.status_code == 200 and not Interview.objects.filter(roadmap=tenant_a.roadmap).exists()
    assert 'value="Élue"' in interview.content.decode()  # what was typed comes back


def _post_urls(tenant: Tenant) -> list[tuple[str, dict[str, int]]]:
    effect = EffectFactory(roadmap=tenant.roadmap)
    indicator = IndicatorFactory(roadmap=tenant.roadmap, effect=effect)
    value = IndicatorValueFactory(indicator=indicator)
    guide = InterviewGuideFactory(roadmap=tenant.roadmap)
    interview = InterviewFactory(roadmap=tenant.roadmap, guide=guide)
    verbatim = VerbatimFactory(interview=interview)
    action = ActionFactory(roadmap=tenant.roadmap)
    roadmap = rm(tenant)
    return [
        ("framing", roadmap),
        ("theory", roadmap),
        ("question", roadmap),
        ("framework", roadmap),
        ("values_import", roadmap),
        ("interviews", roadmap),
        ("analysis", roadmap),
        ("export", roadmap),
        ("effect_edit", {"effect_pk": effect.pk}),
        ("effect_delete", {"effect_pk": effect.pk}),
        ("indicator_create", {"effect_pk": effect.pk}),
        ("indicator", {"indicator_pk": indicator.pk}),
        ("indicator_edit", {"indicator_pk": indicator.pk}),
        ("indicator_delete", {"indicator_pk": indicator.pk}),
        ("value_delete", {"indicatorvalue_pk": value.pk}),
        ("guide_edit", {"interviewguide_pk": guide.pk}),
        ("guide_delete", {"interviewguide_pk": guide.pk}),
        ("interview", {"interview_pk": interview.pk}),
        ("interview_edit", {"interview_pk": interview.pk}),
        ("interview_delete", {"interview_pk": interview.pk}),
        ("verbatim_delete", {"verbatim_pk": verbatim.pk}),
        ("action_follow_up", {"action_pk": action.pk}),
    ]


def _counts() -> dict[str, Any]:
    return {m.__name__: m.objects.count() for m in apps.get_app_config("evaluation").get_models()}


def test_every_post_is_refused_to_readers_strangers_and_other_organisations(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    urls = _post_urls(tenant_a)
    data = {"objectives": "x", "title": "x", "label": "x", "quote": "x", "status": "a_venir", "kind": "x"}
    before = _counts()
    reader = tenant_a.client_for(tenant_a.lecteur)
    other = tenant_b.client_for(tenant_b.admin)
    for name, kwargs in urls:
        assert reader.post(reverse(f"evaluation:{name}", kwargs=kwargs), data).status_code == 403, name
        assert outsider_client.post(tenant_a.url(f"evaluation:{name}", **kwargs), data).status_code == 404, name
        assert other.post(reverse(f"evaluation:{name}", kwargs=kwargs), data).status_code == 404, name
    assert _counts() == before


def test_moving_an_indicator_to_another_effect_gives_it_a_fresh_reference(tenant_a: Tenant) -> None:
    first = EffectFactory(roadmap=tenant_a.roadmap, title="Premier effet")
    second = EffectFactory(roadmap=tenant_a.roadmap, title="Second effet")
    kept = IndicatorFactory(roadmap=tenant_a.roadmap, effect=first, label="Rencontres")
    moved = IndicatorFactory(roadmap=tenant_a.roadmap, effect=second, label="Aidants formés")
    assert (kept.ref, moved.ref) == ("I1.1", "I2.1")
    client = tenant_a.client_for(tenant_a.contributeur)
    response = client.post(
        reverse("evaluation:indicator_edit", kwargs={"indicator_pk": moved.pk}),
        {
            "effect": first.pk,
            "label": "Aidants formés",
            "kind": "quantitatif",
            "collection": "autre",
            "timing": "a_chaud",
        },
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.effect == first and moved.ref == "I1.2"
    # The CSV import finds indicators by reference: I1.1 is still « Rencontres ».
    upload = SimpleUploadedFile("v.csv", b"indicateur;date;valeur\nI1.1;01/06/2025;7\nI1.2;01/06/2025;2\n")
    client.post(reverse("evaluation:values_import", kwargs=rm(tenant_a)), {"file": upload})
    assert [v.number for v in kept.values.all()] == [7] and [v.number for v in moved.values.all()] == [2]


def test_an_indicator_with_values_keeps_its_type(tenant_a: Tenant) -> None:
    indicator = IndicatorFactory(roadmap=tenant_a.roadmap, label="Rencontres", unit="rencontres")
    IndicatorValueFactory(indicator=indicator, number=4)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:indicator_edit", kwargs={"indicator_pk": indicator.pk})
    fields = {
        "effect": indicator.effect.pk,
        "label": "Rencontres entre acteurs",
        "collection": "autre",
        "timing": "a_chaud",
    }
    refused = client.post(url, fields | {"kind": "qualitatif"})
    page = text(refused)
    assert refused.status_code == 200 and f"Rien n'a été enregistré{NB}:" in page
    assert f"Cet indicateur a déjà des valeurs relevées{NB}: son type ne peut plus changer" in page
    assert 'value="Rencontres entre acteurs"' in refused.content.decode()
    computed = text(client.post(url, fields | {"kind": "quantitatif", "internal": "meetings"}))
    assert "il ne peut pas devenir calculé par l'application" in computed
    indicator.refresh_from_db()
    assert indicator.kind == "quantitatif" and not indicator.internal and indicator.label == "Rencontres"
    # Without values, the type may still change.
    FollowUpFactory(action=ActionFactory(roadmap=tenant_a.roadmap))  # unrelated rows change nothing
    indicator.values.all().delete()
    assert client.post(url, fields | {"kind": "qualitatif"}).status_code == 302
