"""Table rotations: the timer's rounds, the hand-over notes shown at the next round, the rights."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from resourcemaps import actions
from resourcemaps.models import HandoverNote, RotationSession, RotationTable
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.resourcemaps.factories import RotationSessionFactory, RotationTableFactory


def _session(tenant: Tenant, **kwargs) -> tuple[RotationSession, list[RotationTable]]:
    session = RotationSessionFactory(organization=tenant.organization, roadmap=tenant.roadmap, **kwargs)
    tables = [
        RotationTableFactory(
            organization=tenant.organization,
            session=session,
            chantier=ChantierFactory(roadmap=tenant.roadmap, title=title),
            position=i,
        )
        for i, title in enumerate(["Jeunes de 3 à 14 ans", "Seniors isolés"])
    ]
    return session, tables


def test_creating_a_session_makes_one_table_per_chosen_chantier(tenant_a: Tenant, tenant_b: Tenant) -> None:
    first = ChantierFactory(roadmap=tenant_a.roadmap, title="Jeunes")
    ChantierFactory(roadmap=tenant_a.roadmap, title="Seniors")
    foreign = ChantierFactory(roadmap=tenant_b.roadmap)
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("resourcemaps:rotations", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    data = {"title": "Atelier du 12 mars", "minutes": 20, "rotations": 4, "chantiers": [first.pk]}
    response = client.post(url, data)
    assert response.status_code == 400  # 4 changes of table: more than the method's 2 or 3
    assert RotationSession.objects.count() == 0
    response = client.post(url, data | {"rotations": 2, "chantiers": [foreign.pk]})
    assert response.status_code == 400 and RotationSession.objects.count() == 0
    response = client.post(url, data | {"rotations": 2, "chantiers": []})
    assert "Choisissez au moins un chantier" in response.content.decode()
    response = client.post(url, data | {"rotations": 3})
    session = RotationSession.objects.get()
    assert response["Location"].endswith(reverse("resourcemaps:rotation", kwargs={"rotationsession_pk": session.pk}))
    assert [t.chantier for t in session.tables.all()] == [first]
    assert (session.rounds, session.status) == (4, "planned")
    assert tenant_a.client_for(tenant_a.lecteur).post(url, data | {"rotations": 2}).status_code == 403


def test_rounds_timer_pause_and_the_last_round(tenant_a: Tenant) -> None:
    session, _tables = _session(tenant_a, minutes=20, rotations=2)
    start = timezone.now()
    with pytest.raises(actions.Refused, match="Lancez la séance"):
        actions.advance(session, "next", now=start)
    session = actions.advance(session, "start", now=start)
    assert (session.round, session.seconds_left(start + datetime.timedelta(minutes=5))) == (1, 15 * 60)
    assert session.seconds_left(start + datetime.timedelta(minutes=25)) == 0
    session = actions.advance(session, "pause", now=start + datetime.timedelta(minutes=5))
    assert session.seconds_left(start + datetime.timedelta(hours=1)) == 15 * 60  # paused: time stands still
    session = actions.advance(session, "pause", now=start + datetime.timedelta(minutes=30))  # resume
    assert session.seconds_left(start + datetime.timedelta(minutes=31)) == 14 * 60
    session = actions.advance(session, "next", now=start + datetime.timedelta(minutes=40))
    assert (session.round, session.seconds_left(start + datetime.timedelta(minutes=40))) == (2, 20 * 60)
    session = actions.advance(session, "next", now=start + datetime.timedelta(minutes=60))
    assert session.round == 3 and session.is_last_round
    with pytest.raises(actions.Refused, match="dernière rotation"):
        actions.advance(session, "next")
    session = actions.advance(session, "finish")
    assert session.status == "finished"
    with pytest.raises(actions.Refused):
        actions.advance(session, "start")


def test_a_note_written_at_one_round_greets_the_newcomers_of_the_next(tenant_a: Tenant, tenant_b: Tenant) -> None:
    session, (jeunes, seniors) = _session(tenant_a)
    client = tenant_a.client_for(tenant_a.animateur)
    page = reverse("resourcemaps:rotation", kwargs={"rotationsession_pk": session.pk})
    note_url = reverse("resourcemaps:rotation_note", kwargs={"rotationtable_pk": jeunes.pk})
    # Before the start, nothing is written.
    client.post(note_url, {f"t{jeunes.pk}-text": "Trop tôt"})
    assert HandoverNote.objects.count() == 0
    client.post(reverse("resourcemaps:rotation_action", kwargs={"rotationsession_pk": session.pk}), {"action": "start"})
    html = client.get(page).content.decode()
    assert "Rotation 1 sur 3" in html and 'data-running="1"' in html
    left = re.search(r'data-timer-left="(\d+)"', html)
    assert left and 1190 <= int(left.group(1)) <= 1200  # 20 minutes, counted down in the page
    # An empty note is refused with a message, nothing saved.
    response = client.post(note_url, {f"t{jeunes.pk}-text": "  "}, follow=True)
    assert "Écrivez la note avant de l'enregistrer." in html_lib.unescape(response.content.decode())
    assert HandoverNote.objects.count() == 0
    client.post(
        note_url,
        {f"t{jeunes.pk}-text": "La CAF est partante, reste à voir les communes.", f"t{jeunes.pk}-keeper": "Léa"},
    )
    client.post(
        note_url,
        {f"t{jeunes.pk}-text": "La CAF est partante ; voir les communes et le fab lab.", f"t{jeunes.pk}-keeper": "Léa"},
    )
    assert HandoverNote.objects.get().text == "La CAF est partante ; voir les communes et le fab lab."
    client.post(reverse("resourcemaps:rotation_action", kwargs={"rotationsession_pk": session.pk}), {"action": "next"})
    html = client.get(page).content.decode()
    assert "Rotation 2 sur 3" in html
    jeunes_card = html[
        html.index(f'data-testid="table-{jeunes.chantier_id}"') : html.index(
            f'data-testid="table-{seniors.chantier_id}"'
        )
    ]
    assert "Pour les nouveaux venus" in jeunes_card and "voir les communes et le fab lab" in jeunes_card
    assert "Reste à la table" in jeunes_card and "Léa" in jeunes_card
    seniors_card = html[html.index(f'data-testid="table-{seniors.chantier_id}"') :]
    assert "Pas de note laissée à la rotation précédente" in seniors_card
    # The htmx refresh of the live part (workshops/live.js) gets the fragment only, and the version moved on.
    fragment = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="live"') and "voir les communes et le fab lab" in fragment
    version = client.get(reverse("resourcemaps:rotation_version", kwargs={"rotationsession_pk": session.pk})).json()
    assert version["version"] >= 4
    # A reader follows the room but writes nothing; another organisation sees nothing.
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert "voir les communes" in reader.get(page).content.decode()
    assert reader.post(note_url, {f"t{jeunes.pk}-text": "Hop"}).status_code == 403
    assert (
        reader.post(
            reverse("resourcemaps:rotation_action", kwargs={"rotationsession_pk": session.pk}), {"action": "next"}
        ).status_code
        == 403
    )
    other = tenant_b.client_for(tenant_b.admin)
    assert other.get(page).status_code == 404
    assert other.post(note_url, {f"t{jeunes.pk}-text": "Hop"}).status_code == 404
    session.refresh_from_db()
    assert session.round == 2 and HandoverNote.objects.count() == 1


@pytest.mark.parametrize("tables", [2, 8])
def test_the_rotation_page_costs_the_same_queries_at_two_sizes(
    tenant_a: Tenant, tables: int, django_assert_num_queries
) -> None:
    session = RotationSessionFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    actions.advance(session, "start")
    for _ in range(tables):
        table = RotationTableFactory(organization=tenant_a.organization, session=session)
        actions.save_note(table, "Une note", "", None)
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("resourcemaps:rotation", kwargs={"rotationsession_pk": session.pk})
    client.get(url)
    # session, user, organisation, membership, the rotation session, its tables with chantiers, their notes
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("rm-table-card") == tables
