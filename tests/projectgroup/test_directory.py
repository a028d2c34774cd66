"""The directory of actors and contacts: two organisations, an outsider, the roles, consent and erasure."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from projectgroup.models import Actor, Attendance, Contact, Family, GroupMember, MeetingInvitation
from tests.conftest import Tenant
from tests.factories import CommuneFactory, TerritoryFactory
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import (
    ActorFactory,
    AttendanceFactory,
    ContactFactory,
    GroupMemberFactory,
    MeetingFactory,
    MeetingInvitationFactory,
)

pytestmark = pytest.mark.django_db

# The actors map page and its frame: the session and membership, the actors, the communes.
MAP_QUERIES = 6
FRAME_QUERIES = 5


def test_an_editor_adds_a_structure_with_its_publics(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    response = client.post(
        reverse("projectgroup:actor_list"),
        {
            "name": "Centre social La Passerelle",
            "kind": "association",
            "siret": "123 456 789 00012",
            "families": [Family.SENIORS, Family.FAMILLES],
            "tags_text": "médiation, accueil",
        },
    )
    assert response.status_code == 302
    actor = Actor.objects.get()
    assert actor.organization == tenant_a.organization
    assert (actor.siret, actor.families, actor.tags) == (
        "12345678900012",
        ["seniors", "familles"],
        ["médiation", "accueil"],
    )
    page = text(client.get(reverse("projectgroup:actor_list")))
    assert "Centre social La Passerelle" in page and "Seniors, Familles" in page
    # Another organisation's directory does not show it, and its page is a 404 there.
    other = tenant_b.client_for(tenant_b.admin)
    assert "La Passerelle" not in text(other.get(reverse("projectgroup:actor_list")))
    assert other.get(actor.get_absolute_url()).status_code == 404


def test_the_same_siret_twice_is_refused(tenant_a: Tenant) -> None:
    ActorFactory(organization=tenant_a.organization, siret="12345678900012")
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(
        reverse("projectgroup:actor_list"), {"name": "Autre", "kind": "autre", "siret": "12345678900012"}
    )
    assert response.status_code == 200
    assert "porte déjà ce SIRET" in text(response)
    assert Actor.objects.count() == 1


def test_readers_and_animators_read_but_do_not_write(tenant_a: Tenant, outsider_client: Client) -> None:
    actor = ActorFactory(organization=tenant_a.organization, name="Médiathèque de Brantôme")
    for user in (tenant_a.lecteur, tenant_a.animateur):
        client = tenant_a.client_for(user)
        page = text(client.get(reverse("projectgroup:actor_list")))
        assert "Médiathèque de Brantôme" in page and "Ajouter une structure" not in page
        assert client.post(reverse("projectgroup:actor_list"), {"name": "X", "kind": "autre"}).status_code == 403
        assert client.post(reverse("projectgroup:actor_delete", kwargs={"actor_pk": actor.pk})).status_code == 403
    assert outsider_client.get(tenant_a.url("projectgroup:actor_detail", actor_pk=actor.pk)).status_code == 404
    assert Actor.objects.count() == 1


def test_filters_by_public_and_kind(tenant_a: Tenant) -> None:
    ActorFactory(organization=tenant_a.organization, name="Mission locale du Ribéracois", families=[Family.JEUNES])
    ActorFactory(organization=tenant_a.organization, name="Club des aînés", families=[Family.SENIORS], kind="autre")
    client = tenant_a.client_for(tenant_a.lecteur)
    page = text(client.get(reverse("projectgroup:actor_list"), {"public": Family.JEUNES}))
    assert "Mission locale" in page and "Club des aînés" not in page
    page = text(client.get(reverse("projectgroup:actor_list"), {"type": "autre"}))
    assert "Mission locale" not in page and "Club des aînés" in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_directory_pages_take_a_fixed_number_of_queries(
    size: int, tenant_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    commune = CommuneFactory()
    for _ in range(size):
        ContactFactory(organization=tenant_a.organization, actor__commune=commune)
    client = tenant_a.client_for(tenant_a.admin)
    # session, user, membership (middleware), the actors with their communes and counts, the form's communes,
    # the context processors: the same number at 3 and at 30 structures.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projectgroup:actor_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projectgroup:contact_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("projectgroup:panorama")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("projectgroup:actor_export")).status_code == 200


def test_export_csv_and_xlsx(tenant_a: Tenant, tenant_b: Tenant) -> None:
    commune = CommuneFactory(code="24053", name="Brantôme en Périgord")
    ActorFactory(
        organization=tenant_a.organization,
        name="=HYPERLINK(piège)",
        commune=commune,
        families=[Family.HANDICAP],
        siret="12345678900012",
    )
    ActorFactory(organization=tenant_b.organization, name="Structure de Bêta")
    client = tenant_a.client_for(tenant_a.lecteur)
    csv_text = b"".join([client.get(reverse("projectgroup:actor_export")).content]).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("nom;type;siret;code_insee;commune")
    assert len(lines) == 2 and "Bêta" not in csv_text
    assert "'=HYPERLINK(piège)" in lines[1]  # never run as a formula
    assert "24053;Brantôme en Périgord" in lines[1] and "Personnes en situation de handicap" in lines[1]
    response = client.get(reverse("projectgroup:actor_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "nom" and rows[1][2] == "12345678900012" and len(rows) == 2


def test_consent_is_dated_and_do_not_contact_is_kept(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    client.post(
        reverse("projectgroup:contact_list"),
        {"full_name": "Lou Martin", "email": "lou@exemple.fr", "consent": "on"},
    )
    contact = Contact.objects.get()
    assert contact.consent and contact.consent_at is not None and contact.can_be_invited
    client.post(
        contact.get_absolute_url(),
        {"full_name": "Lou Martin", "email": "lou@exemple.fr", "consent": "on", "do_not_contact": "on"},
    )
    contact.refresh_from_db()
    assert contact.do_not_contact and not contact.can_be_invited
    assert "ne plus contacter" in text(client.get(reverse("projectgroup:contact_list")))


def test_a_contact_links_only_to_a_member_of_the_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(reverse("projectgroup:contact_list"), {"full_name": "Intrus", "user": tenant_b.admin.pk})
    assert response.status_code == 200 and not Contact.objects.exists()
    client.post(reverse("projectgroup:contact_list"), {"full_name": "Élue", "user": tenant_a.lecteur.pk})
    assert Contact.objects.get().user == tenant_a.lecteur


def test_erasure_removes_the_person_and_keeps_an_anonymous_attendance(tenant_a: Tenant) -> None:
    contact = ContactFactory(organization=tenant_a.organization, full_name="Sacha Dupont", phone="0600000000")
    meeting = MeetingFactory(roadmap=tenant_a.roadmap)
    GroupMemberFactory(roadmap=tenant_a.roadmap, contact=contact)
    MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting, contact=contact)
    AttendanceFactory(
        organization=tenant_a.organization, meeting=meeting, contact=contact, name="Sacha Dupont", actor=contact.actor
    )
    client = tenant_a.client_for(tenant_a.lecteur)
    assert client.post(reverse("projectgroup:contact_erase", kwargs={"contact_pk": contact.pk})).status_code == 403
    client = tenant_a.client_for(tenant_a.contributeur)
    assert client.post(reverse("projectgroup:contact_erase", kwargs={"contact_pk": contact.pk})).status_code == 302
    assert not Contact.objects.exists()
    assert not GroupMember.objects.exists() and not MeetingInvitation.objects.exists()
    attendance = Attendance.objects.get()
    assert attendance.name == "Personne effacée" and attendance.contact is None and attendance.actor == contact.actor
    page = text(client.get(reverse("projectgroup:meeting_detail", kwargs={"meeting_pk": meeting.pk})))
    assert "Sacha" not in page


def test_panorama_shows_the_publics_not_yet_represented(tenant_a: Tenant, tenant_b: Tenant) -> None:
    ActorFactory(organization=tenant_a.organization, name="Mission locale", families=[Family.JEUNES, Family.TOUS])
    ActorFactory(organization=tenant_b.organization, name="CLIC du Périgord vert", families=[Family.SENIORS])
    page = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("projectgroup:panorama")))
    assert "8 publics pas encore représentés" in page
    gaps = page.split("pas encore représentés")[1].split("</section>")[0]
    assert "Seniors" in gaps and "CLIC" in gaps  # a prompt of the structures that usually serve them
    assert "Jeunes de 16 à 30 ans" not in gaps
    assert "CLIC du Périgord vert" not in page


def _square(west: float, south: float) -> dict[str, Any]:
    ring = [[west, south], [west + 0.2, south], [west + 0.2, south + 0.2], [west, south + 0.2], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _frame_actors(html: str) -> list[dict[str, Any]]:
    """The markers' data the frame draws (projectgroup/maps.py writes them as one JSON list)."""
    found = re.search(r"var cpActors = (\[.*?\]);\n", html)
    assert found, "no actor markers in the frame"
    return list(json.loads(found.group(1)))


def test_the_actors_map_page_frames_the_interactive_map_and_keeps_the_table(tenant_a: Tenant) -> None:
    commune = CommuneFactory(code="24053", name="Brantôme", geometry=_square(0.6, 45.3))
    ActorFactory(organization=tenant_a.organization, commune=commune)
    ActorFactory(organization=tenant_a.organization, latitude=45.2, longitude=0.7)
    ActorFactory(organization=tenant_a.organization, name="Association sans adresse")
    page = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("projectgroup:actor_map")))
    assert "2 structures placées sur la carte" in page and "1 sans commune ni coordonnées" in page
    assert '<iframe class="am-frame" title="Carte interactive des structures' in page
    assert f'src="{tenant_a.url("projectgroup:actor_map_frame")}"' in page
    assert '<figure class="pg-map am-print"><svg' in page  # the static image, for print
    assert "Association sans adresse" in page  # the table lists every structure, placed or not
    assert "cytoscape" not in page.lower()


def test_the_actors_map_frame_places_each_actor_on_the_territory(tenant_a: Tenant, tenant_b: Tenant) -> None:
    brantome = CommuneFactory(code="24053", name="Brantôme", geometry=_square(0.6, 45.3))
    bourdeilles = CommuneFactory(code="24054", name="Bourdeilles", geometry=_square(0.8, 45.3))
    TerritoryFactory(organization=tenant_a.organization).communes.add(brantome, bourdeilles)
    org = tenant_a.organization
    centre_pk = ActorFactory(
        organization=org, name="Centre <b>social</b> & Cie", commune=brantome, kind="association", families=["seniors"]
    ).pk
    ActorFactory(organization=org, name="Médiathèque de Brantôme", commune=brantome, kind="collectivite")
    ActorFactory(organization=org, name="France services", latitude=45.41, longitude=0.91, kind="service_public")
    ActorFactory(organization=org, name="Association sans adresse")
    ActorFactory(organization=tenant_b.organization, name="Mairie de l'autre", commune=brantome)
    response = tenant_a.client_for(tenant_a.lecteur).get(reverse("projectgroup:actor_map_frame"))
    assert response.status_code == 200
    html = response.content.decode()
    # Its own relaxed policy (inline folium code), framed by our pages only.
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    markers = _frame_actors(html)
    names = sorted(m["name"] for m in markers)
    assert names == ["Centre <b>social</b> & Cie", "France services", "Médiathèque de Brantôme"]
    # Names are escaped in what the map shows, and never written raw in the page.
    centre = next(m for m in markers if m["name"].startswith("Centre"))
    assert "Centre &lt;b&gt;social&lt;/b&gt; &amp; Cie" in centre["popup"] and "Seniors" in centre["popup"]
    assert "<b>social" not in html
    detail = tenant_a.url("projectgroup:actor_detail", actor_pk=centre_pk)
    assert f'<a href="{detail}" target="_top">Ouvrir la fiche</a>' in centre["popup"]
    assert html.count("Médiathèque de Brantôme") >= 1 and "Mairie de l'autre" not in html
    # France services at its coordinates; the two of Brantôme spread around the commune's centre, apart.
    france = next(m for m in markers if m["name"] == "France services")
    assert (france["lat"], france["lon"]) == (45.41, 0.91)
    a, b = (m for m in markers if m["name"] != "France services")
    assert abs(a["lat"] - b["lat"]) + abs(a["lon"] - b["lon"]) > 0.004
    assert abs((a["lat"] + b["lat"]) / 2 - 45.4) < 0.001 and abs((a["lon"] + b["lon"]) / 2 - 0.7) < 0.001
    # The territory's communes drawn, named; the legend of kinds; Leaflet from our static files, no CDN.
    for contour in ("Brantôme (24053)", "Bourdeilles (24054)"):
        assert f'"nom": {json.dumps(contour)}' in html, contour
    assert "Types de structure" in html and "Service public" in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert not re.search(r"(src|href)=\"https?://", html), "an asset from outside the site"
    assert "cdn" not in html.lower() and "jquery" not in html.lower()


def test_the_actors_map_frame_is_the_organisations_own(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    ActorFactory(organization=tenant_a.organization, name="Centre social", latitude=45.2, longitude=0.7)
    url = tenant_a.url("projectgroup:actor_map_frame")
    assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    theirs = text(tenant_b.client_for(tenant_b.admin).get(tenant_b.url("projectgroup:actor_map_frame")))
    assert "Centre social" not in theirs
    # The other pages keep the strict policy.
    page = tenant_a.client_for(tenant_a.lecteur).get(reverse("projectgroup:actor_map"))
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_the_actors_map_costs_a_fixed_number_of_queries(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    commune = CommuneFactory(code="24053", name="Brantôme", geometry=_square(0.6, 45.3))
    TerritoryFactory(organization=tenant_a.organization).communes.add(commune)
    client.get(reverse("projectgroup:actor_map"))  # the first page of a visit records it in the session
    for size in (1, 6):
        ActorFactory.create_batch(size, organization=tenant_a.organization, commune=commune, families=["seniors"])
        with django_assert_num_queries(MAP_QUERIES):
            assert client.get(reverse("projectgroup:actor_map")).status_code == 200
        with django_assert_num_queries(FRAME_QUERIES):
            assert client.get(reverse("projectgroup:actor_map_frame")).status_code == 200


def test_assets_keep_their_address_when_first_served_inside_an_organisation(tenant_a: Tenant) -> None:
    """The static files' storage built during a tenant request must not keep that organisation in its URLs."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.utils.functional import empty

    staticfiles_storage._wrapped = empty  # built anew by the next page
    page = text(tenant_a.client_for(tenant_a.admin).get(reverse("projectgroup:actor_list")))
    assert 'href="/static/projectgroup/projectgroup.css"' in page
    meeting = MeetingFactory(roadmap=tenant_a.roadmap)
    public = text(Client().get(reverse("projectgroup:checkin", kwargs={"token": meeting.checkin_token})))
    assert 'href="/static/projectgroup/public.css"' in public


def test_search_by_name_tag_or_commune(tenant_a: Tenant) -> None:
    commune = CommuneFactory(code="24352", name="Ribérac")
    ActorFactory(organization=tenant_a.organization, name="Espace jeunes", tags=["fablab"])
    ActorFactory(organization=tenant_a.organization, name="Mairie", commune=commune)
    ActorFactory(organization=tenant_a.organization, name="Autre chose")
    client = tenant_a.client_for(tenant_a.lecteur)
    for query, found in (("jeunes", "Espace jeunes"), ("fablab", "Espace jeunes"), ("ribérac", "Mairie")):
        page = text(client.get(reverse("projectgroup:actor_list"), {"q": query}))
        assert found in page and "Autre chose" not in page, query
