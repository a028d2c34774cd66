"""Resource maps: the guide's three kinds of link and how each is drawn, the page and its edits, isolation."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from resourcemaps.graph import cytoscape_elements, drawing
from resourcemaps.models import Resource
from resourcemaps.svg import map_svg
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.projectgroup.factories import ActorFactory, ContactFactory
from tests.resourcemaps.factories import ResourceFactory


def _map(tenant: Tenant):
    chantier: Chantier = ChantierFactory(roadmap=tenant.roadmap, title="Développer des actions pour les jeunes")
    caf = ResourceFactory(
        organization=tenant.organization, chantier=chantier, nature="financiere", label="CAF", link="solid"
    )
    fablab = ResourceFactory(
        organization=tenant.organization, chantier=chantier, nature="materielle", label="Fab lab", link="dotted"
    )
    robots = ResourceFactory(
        organization=tenant.organization,
        chantier=chantier,
        nature="technique",
        label="Robots pédagogiques",
        link="none",
        availability="a_creer",
        horizon="long",
    )
    return chantier, caf, fablab, robots


def _page_graph(html: str) -> dict:
    found = re.search(r'<script id="resourcemap-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_each_link_kind_is_drawn_as_the_guide_says_in_the_svg(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    svg = map_svg(chantier)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    # One line per drawn link: solid for a collaboration, dotted for an acquaintance, none without acquaintance.
    lines = re.findall(r'<line class="link-(\w+)" x1="0" y1="0" x2="([-\d.]+)" y2="([-\d.]+)"[^>]*/>', svg)
    assert sorted(kind for kind, _x, _y in lines) == ["dotted", "solid"]
    solid = re.search(r'<line class="link-solid"[^>]*/>', svg)
    dotted = re.search(r'<line class="link-dotted"[^>]*/>', svg)
    assert solid and "stroke-dasharray" not in solid.group()
    assert dotted and 'stroke-dasharray="1 7"' in dotted.group()
    # Every resource is on the map, the one without a line too, with its horizon.
    for name in ("CAF", "Fab lab", "Robots pédagogiques", "(long terme)", "Développer des actions"):
        assert name in svg
    # The legend explains the three kinds.
    assert "Trait plein\u00a0: collaboration passée ou en cours" in svg
    assert "Pas de trait\u00a0: on ne se connaît pas" in svg


def test_the_svg_escapes_what_people_typed(tenant_a: Tenant) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Chantier <b>&</b>")
    ResourceFactory(organization=tenant_a.organization, chantier=chantier, label='<script>"x"</script>')
    svg = map_svg(chantier)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_cytoscape_gets_one_edge_per_drawn_link_with_its_kind(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    elements = cytoscape_elements(drawing(chantier, list(Resource.objects.of_map(chantier))), editable=True)
    edges = {e["data"]["target"]: e["classes"] for e in elements if e["group"] == "edges"}
    assert edges == {f"r{caf.pk}": "solid", f"r{fablab.pk}": "dotted"}
    nodes = {e["data"]["id"]: e for e in elements if e["group"] == "nodes"}
    assert set(nodes) == {"chantier", f"r{caf.pk}", f"r{fablab.pk}", f"r{robots.pk}"}
    assert nodes[f"r{robots.pk}"]["classes"] == "resource a_creer"
    assert nodes[f"r{caf.pk}"]["data"]["shape"] == "diamond"  # financière
    assert nodes["chantier"]["position"] == {"x": 0, "y": 0}
    # Resources without a saved place sit on a ring around the chantier, all apart.
    places = {(n["position"]["x"], n["position"]["y"]) for k, n in nodes.items() if k != "chantier"}
    assert len(places) == 3 and all(abs(x) + abs(y) > 100 for x, y in places)


def test_the_page_shows_graph_legend_and_table_and_a_reader_gets_no_edit_address(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    url = reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk})
    editor = tenant_a.client_for(tenant_a.animateur).get(url)
    assert editor.status_code == 200
    html = editor.content.decode()
    assert "Légende" in html and "Pointillé\u00a0: on se connaît, sans collaboration" in html
    table = html[html.index('data-testid="resource-table"') :]
    assert "CAF" in table and "trait plein" in table and "pointillé" in table and "aucun trait" in table
    assert "Ajouter à la carte" in html
    graph = _page_graph(html)
    assert graph["editable"] is True
    assert any("place_url" in e["data"] for e in graph["elements"])

    reader = tenant_a.client_for(tenant_a.lecteur).get(url)
    html = reader.content.decode()
    assert reader.status_code == 200 and "CAF" in html
    assert "Ajouter à la carte" not in html
    graph = _page_graph(html)
    assert graph["editable"] is False
    assert not any("place_url" in e["data"] or "link_url" in e["data"] for e in graph["elements"])


def test_adding_a_resource_from_the_directory_or_by_name(tenant_a: Tenant, tenant_b: Tenant) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap)
    actor = ActorFactory(organization=tenant_a.organization, name="Centre social des Tilleuls")
    contact = ContactFactory(organization=tenant_a.organization, full_name="Camille Martin")
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk})
    base = {"nature": "humaine", "availability": "acquise", "link": "solid", "horizon": "court"}
    assert client.post(url, base | {"actor": actor.pk}).status_code == 302
    assert client.post(url, base | {"contact": contact.pk, "link": "dotted"}).status_code == 302
    names = sorted(r.name for r in Resource.objects.filter(chantier=chantier))
    assert names == ["Camille Martin", "Centre social des Tilleuls"]
    # Nothing to name it: a clear message, nothing saved.
    response = client.post(url, base)
    assert response.status_code == 400
    assert "Nommez la ressource, ou choisissez une structure ou un contact" in response.content.decode()
    # Another organisation's actor is not a choice here.
    other = ActorFactory(organization=tenant_b.organization)
    response = client.post(url, base | {"actor": other.pk})
    assert response.status_code == 400
    assert Resource.objects.filter(chantier=chantier).count() == 2


def test_moving_and_relinking_are_saved_and_come_back(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    client = tenant_a.client_for(tenant_a.animateur)
    place = reverse("resourcemaps:resource_place", kwargs={"resource_pk": robots.pk})
    assert client.post(place, {"x": "-310.5", "y": "120"}).json() == {"x": -310.5, "y": 120.0}
    response = client.post(place, {"x": "99999", "y": "0"})
    assert response.status_code == 400 and "hors de la carte" in response.json()["error"]
    link = reverse("resourcemaps:resource_link", kwargs={"resource_pk": robots.pk})
    answer = client.post(link, {"link": "dotted"}).json()
    assert answer["link_label"] == "pointillé"
    assert client.post(link, {"link": "épais"}).status_code == 400
    robots.refresh_from_db()
    assert (robots.x, robots.y, robots.link) == (-310.5, 120.0, "dotted")
    graph = _page_graph(client.get(reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk})).content.decode())
    node = next(e for e in graph["elements"] if e["data"]["id"] == f"r{robots.pk}")
    assert node["position"] == {"x": -310.5, "y": 120.0}
    assert any(e["data"].get("target") == f"r{robots.pk}" and e["classes"] == "dotted" for e in graph["elements"])


def test_a_reader_changes_nothing_and_another_organisation_gets_404(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client
) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    reader = tenant_a.client_for(tenant_a.lecteur)
    for name, data in (
        ("resourcemaps:resource_place", {"x": "1", "y": "1"}),
        ("resourcemaps:resource_link", {"link": "solid"}),
        ("resourcemaps:resource_delete", {}),
    ):
        assert reader.post(reverse(name, kwargs={"resource_pk": robots.pk}), data).status_code == 403
    assert (
        reader.post(reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk}), {"label": "X"}).status_code == 403
    )
    robots.refresh_from_db()
    assert (robots.x, robots.link) == (None, "none")
    assert Resource.objects.filter(chantier=chantier).count() == 3

    other = tenant_b.client_for(tenant_b.admin)
    for name in ("resourcemaps:map", "resourcemaps:map_svg", "resourcemaps:map_kumu"):
        assert other.get(reverse(name, kwargs={"chantier_pk": chantier.pk})).status_code == 404
    assert (
        other.post(
            reverse("resourcemaps:resource_link", kwargs={"resource_pk": robots.pk}), {"link": "solid"}
        ).status_code
        == 404
    )
    assert (
        other.post(
            reverse("resourcemaps:resource_place", kwargs={"resource_pk": robots.pk}), {"x": 1, "y": 1}
        ).status_code
        == 404
    )
    robots.refresh_from_db()
    assert robots.link == "none"
    page = tenant_a.url("resourcemaps:map", chantier_pk=chantier.pk)
    assert outsider_client.get(page).status_code == 404


def test_kumu_export_has_elements_and_connections_sheets(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    response = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("resourcemaps:map_kumu", kwargs={"chantier_pk": chantier.pk})
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["connections.csv", "elements.csv"]
    raw = archive.read("elements.csv")
    assert raw.startswith(b"ID,Label,Type,Description,Tags")  # no byte-order mark before Kumu's first column
    elements = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [(e["Label"], e["Type"]) for e in elements] == [
        ("Développer des actions pour les jeunes", "Chantier"),
        ("CAF", "Financière"),
        ("Robots pédagogiques", "Technique"),
        ("Fab lab", "Matérielle"),
    ]
    assert elements[2]["Tags"] == "N'existe pas encore, à créer|Long terme"
    connections = list(csv.DictReader(io.StringIO(archive.read("connections.csv").decode("utf-8"))))
    # The connections name the elements' IDs, so that two resources with one name stay two elements in Kumu.
    assert [(c["From"], c["To"], c["Type"]) for c in connections] == [
        (f"chantier-{chantier.pk}", f"ressource-{caf.pk}", "trait plein"),
        (f"chantier-{chantier.pk}", f"ressource-{fablab.pk}", "pointillé"),
    ]
    assert len({e["ID"] for e in elements}) == len(elements)


@pytest.mark.parametrize("size", [2, 12])
def test_the_map_page_costs_the_same_queries_at_two_sizes(
    tenant_a: Tenant, size: int, django_assert_num_queries
) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap)
    for i in range(size):
        actor = ActorFactory(organization=tenant_a.organization)
        ResourceFactory(organization=tenant_a.organization, chantier=chantier, actor=actor, label="", nature="humaine")
        ResourceFactory(
            organization=tenant_a.organization,
            chantier=chantier,
            contact=ContactFactory(organization=tenant_a.organization),
            label="",
            link="solid" if i % 2 else "none",
        )
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk})
    client.get(url)
    # session, user, organisation, membership, the chantier, its resources with their actors and contacts, the
    # form's actors, its contacts, the PDF jobs — fixed whatever the size.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count("data-link-cell=") == 2 * size


@pytest.mark.parametrize("size", [1, 6])
def test_the_maps_index_counts_links_per_chantier_in_fixed_queries(
    tenant_a: Tenant, tenant_b: Tenant, size: int, django_assert_num_queries
) -> None:
    for _ in range(size):
        chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap)
        for link in ("solid", "solid", "dotted", "none"):
            ResourceFactory(organization=tenant_a.organization, chantier=chantier, link=link)
    foreign: Chantier = ChantierFactory(roadmap=tenant_b.roadmap, title="Chantier de la communauté voisine")
    client = tenant_a.client_for(tenant_a.lecteur)
    url = reverse("resourcemaps:index", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    client.get(url)
    # session, user, organisation, membership, the roadmap, its chantiers with their counts, the rotation sessions
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert html.count("<td>4</td><td>2</td><td>1</td><td>1</td>") == size
    assert foreign.title not in html
    assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404


def test_step_4_links_to_the_maps_and_the_rotations(tenant_a: Tenant) -> None:
    from roadmap.steps import roadmap_steps

    links = {str(link.label): link.url for link in roadmap_steps(tenant_a.roadmap)[4].links}
    assert links["Cartographies des ressources"] == reverse("resourcemaps:index", args=[tenant_a.roadmap.pk])
    assert links["Rotation des tables (atelier ressources)"] == reverse(
        "resourcemaps:rotations", args=[tenant_a.roadmap.pk]
    )


def test_the_svg_download_is_the_same_drawing(tenant_a: Tenant) -> None:
    chantier, caf, fablab, robots = _map(tenant_a)
    response = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("resourcemaps:map_svg", kwargs={"chantier_pk": chantier.pk})
    )
    assert response["Content-Type"].startswith("image/svg+xml")
    assert 'filename="ressources-developper-des-actions-pour-les-jeunes.svg"' in response["Content-Disposition"]
    assert response.content.decode() == map_svg(chantier)


def test_a_label_typed_as_a_formula_stays_text_in_the_kumu_files(tenant_a: Tenant) -> None:
    # The export may be opened in a spreadsheet before Kumu: a typed « =HYPERLINK(…) » must never run there.
    chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Chantier")
    ResourceFactory(
        organization=tenant_a.organization, chantier=chantier, label='=HYPERLINK("http://x.test";"CAF")', link="solid"
    )
    archive = zipfile.ZipFile(
        io.BytesIO(
            tenant_a.client_for(tenant_a.lecteur)
            .get(reverse("resourcemaps:map_kumu", kwargs={"chantier_pk": chantier.pk}))
            .content
        )
    )
    labels = [e["Label"] for e in csv.DictReader(io.StringIO(archive.read("elements.csv").decode("utf-8")))]
    assert labels == ["Chantier", '\'=HYPERLINK("http://x.test";"CAF")']
