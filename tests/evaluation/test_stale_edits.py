"""No silent overwrite in step 7: a théorie du changement or a cadrage saved from another tab since the form was
opened refuses the second save, which comes back with everything typed and the text saved meanwhile beside it;
a save of another section of the evaluation meanwhile refuses nothing."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import Evaluation
from tests.conftest import Tenant
from tests.factories import DefiFactory

pytestmark = pytest.mark.django_db

BOXES = ("need", "vision", "activities", "outputs", "results", "impact")


def version_fields(page: str) -> dict[str, str]:
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', page) for name in ("seen_version", "seen_fields")}
    assert all(found.values()), "the form carries the version it was opened on"
    return {name: html.unescape(match.group(1)) for name, match in found.items() if match}


def opened(client: Client, url: str) -> dict[str, str]:
    return version_fields(client.get(url).content.decode())


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1)).strip()


def test_a_theory_of_change_saved_meanwhile_is_not_overwritten_and_nothing_typed_is_lost(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    defi = DefiFactory(roadmap=tenant_a.roadmap, title="Accompagner les publics éloignés")
    url = reverse("evaluation:theory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    anne, karim = tenant_a.client_for(tenant_a.admin), tenant_a.client_for(tenant_a.contributeur)
    anne_tab, karim_tab = opened(anne, url), opened(karim, url)  # both before the evaluation exists
    empty = dict.fromkeys(BOXES, "")

    assert anne.post(url, anne_tab | empty | {"need": "Des habitants isolés du numérique"}).status_code == 302
    # Karim, on the page opened before, writes the vision and ticks a défi: refused, nothing of Anne's lost.
    typed = karim_tab | empty | {"vision": "Le numérique au service du lien social", "covered_defis": [defi.pk]}
    refused = karim.post(url, typed)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "enregistré depuis un autre poste" in page and "Théorie du changement enregistrée." not in page
    assert textarea(page, "vision") == "Le numérique au service du lien social"
    assert textarea(page, "need") == ""  # what he sent, as he sent it
    assert re.search(rf'value="{defi.pk}"[^>]*checked', page)  # his ticked défi stays ticked
    assert "Version enregistrée entre-temps" in page and "Des habitants isolés du numérique" in page
    evaluation = Evaluation.objects.get()
    assert (evaluation.need, evaluation.vision) == ("Des habitants isolés du numérique", "")

    # Merged and sent again from the page he now has: saved.
    merged = typed | version_fields(page) | {"need": "Des habitants isolés du numérique"}
    assert karim.post(url, merged).status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.need, evaluation.vision) == (
        "Des habitants isolés du numérique",
        "Le numérique au service du lien social",
    )
    assert list(evaluation.covered_defis.all()) == [defi]

    # Another organisation and someone of none reach nothing.
    foreign = tenant_a.url("evaluation:theory", roadmap_pk=tenant_a.roadmap.pk)
    assert tenant_b.client_for(tenant_b.admin).post(foreign, merged | {"need": "x"}).status_code == 404
    assert outsider_client.post(foreign, merged | {"need": "x"}).status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.need == "Des habitants isolés du numérique"
    assert not Evaluation.objects.filter(organization=tenant_b.organization).exists()


def test_a_framing_saved_meanwhile_is_refused_but_another_section_saved_meanwhile_is_not(tenant_a: Tenant) -> None:
    framing = reverse("evaluation:framing", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    theory = reverse("evaluation:theory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    anne, karim = tenant_a.client_for(tenant_a.admin), tenant_a.client_for(tenant_a.contributeur)
    anne_framing, anne_theory, karim_framing = opened(anne, framing), opened(anne, theory), opened(karim, framing)
    blank = {"method": "", "periodicity": ""}
    assert karim.post(framing, karim_framing | blank | {"objectives": "Rendre compte aux élus."}).status_code == 302

    # Anne's théorie du changement, opened before Karim's cadrage was saved: another section, saved.
    assert anne.post(theory, anne_theory | {"need": "Des habitants isolés"}).status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.objectives, evaluation.need) == ("Rendre compte aux élus.", "Des habitants isolés")

    # Anne's cadrage, opened before Karim saved his: refused, her objectives kept, his shown beside.
    refused = anne.post(framing, anne_framing | blank | {"objectives": "Ajuster les actions."})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert textarea(page, "objectives") == "Ajuster les actions." and "Rendre compte aux élus." in page
    evaluation.refresh_from_db()
    assert (evaluation.objectives, evaluation.need) == ("Rendre compte aux élus.", "Des habitants isolés")
