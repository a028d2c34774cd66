"""Collecting: values imported from CSV (all or nothing), interviews and their verbatims."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation.models import IndicatorValue, Interview, InterviewGuide, Verbatim
from tests.conftest import Tenant
from tests.evaluation.factories import EffectFactory, IndicatorFactory, InterviewFactory
from tests.evaluation.test_pages import NB, rm, text


def _upload(tenant: Tenant, content: str, encoding: str = "utf-8") -> object:
    client = tenant.client_for(tenant.contributeur)
    file = SimpleUploadedFile("valeurs.csv", content.encode(encoding), content_type="text/csv")
    return client.post(reverse("evaluation:values_import", kwargs=rm(tenant)), {"file": file})


def test_a_csv_file_is_imported_whole(tenant_a: Tenant) -> None:
    meetings = IndicatorFactory(roadmap=tenant_a.roadmap, label="Nombre de rencontres")
    trust = IndicatorFactory(roadmap=tenant_a.roadmap, label="Confiance entre acteurs", kind="qualitatif")
    content = (
        "Indicateur;Date;Valeur;Source;Commentaire\n"
        f"{meetings.ref};15/03/2025;4;Émargements;premier trimestre\n"
        "nombre de rencontres;2025-06-30;1 204,5;Émargements;\n"
        "Confiance entre acteurs;30/06/2025;Les acteurs s'appellent entre eux;Entretiens;3 entretiens\n"
    )
    response = _upload(tenant_a, content, "cp1252")  # as Excel saves it on Windows
    assert response.status_code == 302
    values = list(IndicatorValue.objects.order_by("indicator_id", "date"))
    assert [(v.indicator, v.number, v.text) for v in values] == [
        (meetings, 4, ""),
        (meetings, 1204.5, ""),
        (trust, None, "Les acteurs s'appellent entre eux"),
    ]
    assert values[0].comment == "premier trimestre" and values[0].created_by == tenant_a.contributeur


def test_a_csv_file_with_errors_saves_nothing_and_names_each_line(tenant_a: Tenant, tenant_b: Tenant) -> None:
    IndicatorFactory(roadmap=tenant_a.roadmap, label="Nombre de rencontres")
    IndicatorFactory(roadmap=tenant_b.roadmap, label="Indicateur de Bêta")
    content = (
        "indicateur,date,valeur\n"
        "Nombre de rencontres,15/03/2025,4\n"
        "Nombre de rencontres,15/03/2025,beaucoup\n"
        "Nombre de rencontres,31/02/2025,3\n"
        "Nombre de rencontres,15/03/2035,3\n"
        "Indicateur de Bêta,15/03/2025,3\n"
    )
    page = text(_upload(tenant_a, content))
    assert not IndicatorValue.objects.exists()  # the good first line is not saved either
    assert f"Ligne 3{NB}: «{NB}beaucoup{NB}» n'est pas un nombre" in page
    assert f"Ligne 4{NB}: date «{NB}31/02/2025{NB}» illisible" in page
    assert f"Ligne 5{NB}: la date doit être comprise entre le 01/01/2024" in page
    assert f"Ligne 6{NB}: indicateur «{NB}Indicateur de Bêta{NB}» inconnu" in page  # another organisation's
    assert "4 erreurs dans le fichier" in page
    missing = text(_upload(tenant_a, "indicateur;valeur\nNombre de rencontres;3\n"))
    assert f"Ligne 1{NB}: la colonne «{NB}date{NB}» manque" in missing


def test_interviews_guides_and_verbatims_tagged_to_effects(tenant_a: Tenant) -> None:
    effect = EffectFactory(roadmap=tenant_a.roadmap, title="Une dynamique d'acteurs")
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:interviews", kwargs=rm(tenant_a))
    client.post(
        url,
        {
            "add": "guide",
            "guide-title": "Trame élus",
            "guide-audience": "Élus communautaires",
            "guide-questions": "Qu'est-ce qui a changé ?\nAvec qui travaillez-vous ?",
        },
    )
    guide = InterviewGuide.objects.get()
    assert guide.question_lines() == ["Qu'est-ce qui a changé ?", "Avec qui travaillez-vous ?"]
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    refused = client.post(
        url, {"add": "interview", "interview-interviewee": "Élue de Brantôme", "interview-held_on": future}
    )
    assert "la date est à venir" in text(refused) and not Interview.objects.exists()
    client.post(
        url,
        {
            "add": "interview",
            "interview-guide": guide.pk,
            "interview-interviewee": "Élue de Brantôme",
            "interview-held_on": "2025-05-12",
            "interview-transcript": "On se connaît mieux. Avant, on ne se parlait pas.",
        },
    )
    interview = Interview.objects.get()
    client.post(
        reverse("evaluation:interview", kwargs={"interview_pk": interview.pk}),
        {"quote": "« Avant, on ne se parlait pas. »", "effect": effect.pk},
    )
    verbatim = Verbatim.objects.get()
    assert verbatim.quote == "Avant, on ne se parlait pas." and verbatim.effect == effect
    analysis = text(client.get(reverse("evaluation:analysis", kwargs=rm(tenant_a))))
    assert f"«{NB}Avant, on ne se parlait pas.{NB}»" in analysis and "Élue de Brantôme" in analysis


def test_a_verbatim_cannot_be_tagged_to_another_organisations_effect(tenant_a: Tenant, tenant_b: Tenant) -> None:
    interview = InterviewFactory(roadmap=tenant_a.roadmap)
    foreign = EffectFactory(roadmap=tenant_b.roadmap)
    client = tenant_a.client_for(tenant_a.contributeur)
    response = client.post(
        reverse("evaluation:interview", kwargs={"interview_pk": interview.pk}),
        {"quote": "Une phrase", "effect": foreign.pk},
    )
    assert response.status_code == 200 and not Verbatim.objects.exists()


def test_deleting_a_guide_keeps_its_interviews_and_an_interview_takes_its_verbatims(tenant_a: Tenant) -> None:
    from tests.evaluation.factories import InterviewGuideFactory, VerbatimFactory

    guide = InterviewGuideFactory(roadmap=tenant_a.roadmap)
    interview: Interview = InterviewFactory(roadmap=tenant_a.roadmap, guide=guide)
    VerbatimFactory(interview=interview)
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert reader.post(reverse("evaluation:guide_delete", kwargs={"interviewguide_pk": guide.pk})).status_code == 403
    client = tenant_a.client_for(tenant_a.contributeur)
    client.post(reverse("evaluation:guide_delete", kwargs={"interviewguide_pk": guide.pk}))
    interview.refresh_from_db()
    assert not InterviewGuide.objects.exists() and interview.guide is None and Verbatim.objects.count() == 1
    client.post(reverse("evaluation:interview_delete", kwargs={"interview_pk": interview.pk}))
    assert not Interview.objects.exists() and not Verbatim.objects.exists()


def test_a_file_imported_twice_or_with_empty_cells_is_refused(tenant_a: Tenant) -> None:
    meetings = IndicatorFactory(roadmap=tenant_a.roadmap, label="Nombre de rencontres")
    content = "indicateur;date;valeur\nNombre de rencontres;15/03/2025;4\nNombre de rencontres;30/06/2025;6\n"
    assert _upload(tenant_a, content).status_code == 302
    assert meetings.values.count() == 2
    again = _upload(tenant_a, content)
    page = text(again)
    assert again.status_code == 200 and meetings.values.count() == 2  # not counted twice in the charts
    assert f"Ligne 2{NB}: cette valeur de «{NB}Nombre de rencontres{NB}» au 15/03/2025 est déjà enregistrée" in page
    line = "Nombre de rencontres;01/09/2025;7\n"
    twice_in_file = text(_upload(tenant_a, "indicateur;date;valeur\n" + line + line))
    assert f"Ligne 3{NB}: cette valeur" in twice_in_file and meetings.values.count() == 2
    empty = text(
        _upload(tenant_a, "indicateur;date;valeur\nNombre de rencontres;;4\nNombre de rencontres;01/10/2025;\n")
    )
    assert f"Ligne 2{NB}: la date manque." in empty and f"Ligne 3{NB}: la valeur manque." in empty
    assert meetings.values.count() == 2
