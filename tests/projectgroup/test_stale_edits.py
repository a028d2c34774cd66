"""No silent overwrite: a mandate or meeting minutes saved from another tab since a form was opened refuses the
second save; everything the second person typed comes back in the form, with the text saved meanwhile beside it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from projectgroup.models import Mandate, Meeting
from tests.conftest import Tenant
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def opened(client: Client, url: str) -> dict[str, str]:
    """The hidden version fields of the page's guarded form, as the browser will send them back."""
    page = text(client.get(url))
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', page) for name in ("seen_version", "seen_fields")}
    assert all(found.values()), "the form carries the version it was opened on"
    return {name: html.unescape(match.group(1)) for name, match in found.items() if match}


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1)).strip()


def test_a_mandate_saved_meanwhile_is_not_overwritten_and_nothing_typed_is_lost(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    Mandate.objects.create(
        organization=tenant_a.organization, roadmap=tenant_a.roadmap, text="Première version.", given_by="Bureau"
    )
    page_url = reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    save_url = reverse("projectgroup:mandate_edit", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    anne, karim = tenant_a.client_for(tenant_a.admin), tenant_a.client_for(tenant_a.contributeur)
    anne_tab, karim_tab = opened(anne, page_url), opened(karim, page_url)

    saved = anne.post(save_url, anne_tab | {"text": "Version d'Anne : le mandat voté en juin.", "given_by": "Bureau"})
    assert saved.status_code == 302
    # Karim, on the page opened before, changes only « confié par »: refused, not « Mandat enregistré ».
    typed = karim_tab | {"text": "Première version.", "given_by": "Conseil communautaire", "given_on": "2026-01-15"}
    refused = karim.post(save_url, typed)
    assert refused.status_code == 409
    page = text(refused)
    assert "enregistré depuis un autre poste" in page and "Mandat enregistré." not in page
    # Everything he typed is in the form again; Anne's text is shown beside, to merge.
    assert textarea(page, "text") == "Première version."
    assert 'value="Conseil communautaire"' in page and 'value="2026-01-15"' in page
    assert "Version enregistrée entre-temps" in page and "Version d&#x27;Anne : le mandat voté en juin." in page
    assert Mandate.objects.get(roadmap=tenant_a.roadmap).text == "Version d'Anne : le mandat voté en juin."

    # Sent again from the form he now has, merged: saved, Anne's text included.
    merged = opened_from(page) | {
        "text": "Version d'Anne : le mandat voté en juin.",
        "given_by": "Conseil communautaire",
        "given_on": "2026-01-15",
    }
    assert karim.post(save_url, merged).status_code == 302
    mandate = Mandate.objects.get(roadmap=tenant_a.roadmap)
    assert (mandate.text, mandate.given_by) == ("Version d'Anne : le mandat voté en juin.", "Conseil communautaire")

    # Another organisation and someone of none reach nothing; the other organisation's mandate is untouched.
    assert (
        tenant_b.client_for(tenant_b.admin)
        .post(tenant_a.url("projectgroup:mandate_edit", roadmap_pk=tenant_a.roadmap.pk), merged)
        .status_code
        == 404
    )
    assert (
        outsider_client.post(
            tenant_a.url("projectgroup:mandate_edit", roadmap_pk=tenant_a.roadmap.pk), merged
        ).status_code
        == 404
    )
    assert not Mandate.objects.filter(organization=tenant_b.organization).exists()
    assert Mandate.objects.get(roadmap=tenant_a.roadmap).given_by == "Conseil communautaire"


def opened_from(page: str) -> dict[str, str]:
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', page) for name in ("seen_version", "seen_fields")}
    return {name: html.unescape(match.group(1)) for name, match in found.items() if match}


def test_two_first_mandates_written_at_once_do_not_overwrite_each_other(tenant_a: Tenant) -> None:
    page_url = reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    save_url = reverse("projectgroup:mandate_edit", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    anne, karim = tenant_a.client_for(tenant_a.admin), tenant_a.client_for(tenant_a.contributeur)
    anne_tab, karim_tab = opened(anne, page_url), opened(karim, page_url)  # no mandate yet on either page
    assert anne.post(save_url, anne_tab | {"text": "Le mandat d'Anne."}).status_code == 302
    refused = karim.post(save_url, karim_tab | {"text": "Le mandat de Karim."})
    assert refused.status_code == 409
    page = text(refused)
    assert textarea(page, "text") == "Le mandat de Karim." and "Le mandat d&#x27;Anne." in page
    assert Mandate.objects.get().text == "Le mandat d'Anne."


def test_minutes_saved_meanwhile_are_not_overwritten_and_nothing_typed_is_lost(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    meeting: Any = MeetingFactory(
        roadmap=tenant_a.roadmap, title="Groupe projet de lancement", minutes="", decisions=""
    )
    save_url = reverse("projectgroup:meeting_minutes", kwargs={"meeting_pk": meeting.pk})
    anne, karim = tenant_a.client_for(tenant_a.admin), tenant_a.client_for(tenant_a.contributeur)
    anne_tab, karim_tab = opened(anne, meeting.get_absolute_url()), opened(karim, meeting.get_absolute_url())

    assert anne.post(save_url, anne_tab | {"minutes": "Le calendrier est validé.", "decisions": ""}).status_code == 302
    refused = karim.post(save_url, karim_tab | {"minutes": "", "decisions": "Prochaine réunion en mars"})
    assert refused.status_code == 409
    page = text(refused)
    assert "enregistré depuis un autre poste" in page and "Compte rendu enregistré." not in page
    assert textarea(page, "decisions") == "Prochaine réunion en mars"
    assert "Le calendrier est validé." in page  # Anne's minutes, beside the empty box Karim sent
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.decisions) == ("Le calendrier est validé.", "")

    # The other organisation and an outsider cannot write these minutes.
    other = tenant_b.client_for(tenant_b.admin)
    data = opened_from(page) | {"minutes": "x", "decisions": "y"}
    assert other.post(tenant_a.path(save_url), data).status_code == 404
    assert outsider_client.post(tenant_a.path(save_url), data).status_code == 404
    meeting.refresh_from_db()
    assert meeting.minutes == "Le calendrier est validé."


def test_a_change_of_the_meeting_itself_does_not_refuse_the_minutes(tenant_a: Tenant) -> None:
    meeting: Any = MeetingFactory(roadmap=tenant_a.roadmap, title="Lancement", place="Mairie", minutes="")
    scribe = tenant_a.client_for(tenant_a.admin)
    tab = opened(scribe, meeting.get_absolute_url())
    Meeting.objects.filter(pk=meeting.pk).update(place="Médiathèque")  # moved meanwhile, from the meeting's form
    meeting.refresh_from_db()
    meeting.save()  # a new version of the row
    response = scribe.post(
        reverse("projectgroup:meeting_minutes", kwargs={"meeting_pk": meeting.pk}),
        tab | {"minutes": "Tour de table.", "decisions": ""},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.place) == ("Tour de table.", "Médiathèque")


def test_a_mandate_with_a_wrong_date_comes_back_with_its_text(tenant_a: Tenant) -> None:
    save_url = reverse("projectgroup:mandate_edit", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    response = tenant_a.client_for(tenant_a.admin).post(
        save_url, {"text": "Produire la feuille de route pour juin.", "given_on": "2026-13-45"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "vérifiez la date" in page and textarea(page, "text") == "Produire la feuille de route pour juin."
    assert not Mandate.objects.exists()
