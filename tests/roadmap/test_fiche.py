"""The fiche action: every field of the guide's template, its history, its budget grid, and bad input."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from fiches.models import FICHE_FIELDS, ActionChange, ActionExpense, ActionFunding, Engagement
from roadmap.models import Action
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, RoadmapFactory
from tests.roadmap.factories import ActionExpenseFactory

pytestmark = pytest.mark.django_db


class _BrowserForm(HTMLParser):
    """What a browser submits for the page's form that posts back to the page: inputs, checked boxes, selected
    options (the first one when none is), textareas without their leading line break and with CRLF line breaks."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.done = self.inside = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method") == "post" and "action" not in a and not self.done:
            self.inside = True
        if not self.inside or a.get("disabled") is not None:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.data.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            self.data += [(self.select, value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.data.append((self.textarea, self.text.removeprefix("\n").replace("\n", "\r\n")))
            self.textarea = None


def _browser_post(page: HttpResponse) -> dict[str, str]:
    parser = _BrowserForm()
    parser.feed(page.content.decode())
    data = dict(parser.data)
    assert len(data) == len(parser.data), "no field of the fiche form has several values"
    return data


def _fiche_post(action: Action, client: Client, **changes: str) -> dict[str, str]:
    """The edit form as a browser sends it, from what the page shows, with `changes` typed in."""
    data = _browser_post(client.get(reverse("fiches:fiche_edit", args=[action.pk])))
    data.update(changes)
    return data


def test_the_fiche_shows_every_field_of_the_template(tenant_a: Tenant, client_a: Client) -> None:
    values = {name: f"Valeur de {name}" for name in FICHE_FIELDS if name != "human_fte"}
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, human_fte=Decimal("0.5"), **values)
    page = client_a.get(reverse("fiches:fiche", args=[action.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    for value in values.values():
        assert value in content
    assert "0,5\u00a0ETP" in content
    assert "Créée le" in content and "mise à jour le" in content


def test_fiche_pages_are_members_only(tenant_a: Tenant, client_b: Client, outsider_client: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    for name in ("fiches:fiche", "fiches:fiche_edit", "fiches:fiche_budget", "fiches:fiche_history"):
        url = reverse(name, args=[action.pk])
        assert client_b.get(url).status_code == 404
        assert outsider_client.get(url).status_code == 302
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    assert lecteur.get(reverse("fiches:fiche", args=[action.pk])).status_code == 200
    assert lecteur.get(reverse("fiches:fiche_edit", args=[action.pk])).status_code == 403


def test_creating_a_fiche_from_a_chantier(tenant_a: Tenant, client_a: Client) -> None:
    chantier = ChantierFactory(roadmap=tenant_a.roadmap)
    url = reverse("fiches:fiche_create", args=[chantier.pk])
    response = client_a.post(url, {"title": "Un bus numérique", "chantier": chantier.pk, "objective": "Aller vers"})
    action = Action.objects.get(title="Un bus numérique")
    assert response.status_code == 302 and response["Location"] == tenant_a.path(action.get_fiche_url())
    assert action.chantier == chantier and action.roadmap == tenant_a.roadmap
    assert action.organization == tenant_a.organization


def test_saving_records_who_changed_what_and_when(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Ancien objectif")
    data = _fiche_post(
        action,
        client_a,
        objective="Nouvel objectif",
        human_fte="1,5",
        **{"partners-0-name": "Médiathèque", "partners-0-nature": "Prête la salle"},
        **{
            "steps-0-label": "Lancement",
            "steps-0-start_year": "2026",
            "steps-0-start_quarter": "1",
            "steps-0-end_year": "2026",
            "steps-0-end_quarter": "2",
        },
    )
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.objective == "Nouvel objectif" and action.human_fte == Decimal("1.5")
    assert action.partners.get().name == "Médiathèque"
    assert action.steps.get().span_label == "T1 2026 – T2 2026"
    changes = {c.field: c for c in ActionChange.objects.filter(action=action)}
    assert set(changes) == {"objective", "human_fte", "partners", "steps"}
    assert changes["objective"].old_value == "Ancien objectif"
    assert changes["objective"].new_value == "Nouvel objectif"
    assert changes["objective"].user == tenant_a.admin
    history = client_a.get(reverse("fiches:fiche_history", args=[action.pk])).content.decode()
    assert "Ancien objectif" in history and "Nouvel objectif" in history and tenant_a.admin.full_name in history


def test_a_stale_edit_is_refused_and_the_newer_version_kept(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Version de départ")
    first = _fiche_post(action, client_a, objective="Saisie de Camille")
    second = _fiche_post(action, tenant_a.client_for(tenant_a.contributeur), objective="Saisie de Dominique")
    assert client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), first).status_code == 302
    other = tenant_a.client_for(tenant_a.contributeur)
    response = other.post(reverse("fiches:fiche_edit", args=[action.pk]), second)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    # Who changed the same field, when, and the value saved then, beside the text typed (issue 12, point 8).
    assert f"a été modifié par {tenant_a.admin}" in page and "« Saisie de Camille »" in page
    assert "Saisie de Dominique" in page  # the typed text is still in the form
    action.refresh_from_db()
    assert action.objective == "Saisie de Camille"


def test_an_action_cannot_move_to_another_roadmaps_chantier(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    other_roadmap = RoadmapFactory(organization=tenant_a.organization)
    foreign = ChantierFactory(roadmap=other_roadmap)
    data = _fiche_post(action, client_a, chantier=str(foreign.pk), objective="Ne doit pas être perdu")
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    assert response.status_code == 200
    assert "Ce chantier n&#x27;appartient pas à cette feuille de route" in response.content.decode()
    assert "Ne doit pas être perdu" in response.content.decode()
    action.refresh_from_db()
    assert action.chantier.roadmap == tenant_a.roadmap


def _budget_data(action: Action, client: Client, **amounts: str) -> dict[str, str]:
    page = client.get(reverse("fiches:fiche_budget", args=[action.pk]))
    data = {name: str(value) for name, value in page.context["form"].initial.items()}
    data.update(amounts)
    return data


def test_the_budget_grid_saves_french_amounts_exactly(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    data = _budget_data(
        action,
        client_a,
        expense_fonctionnement_2025="12 345,67",
        expense_investissement_2026="1000",
        funding_etat_2025="10000",
        funding_autre_public_2026="2 000,00",
    )
    response = client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), data)
    assert response.status_code == 302
    assert ActionExpense.objects.get(action=action, year=2025).amount == Decimal("12345.67")
    assert ActionFunding.objects.get(action=action, funder="autre_public").amount == Decimal("2000")
    page = client_a.get(reverse("fiches:fiche", args=[action.pk])).content.decode()
    assert "13\u202f345,67\u00a0€" in page  # total cost
    assert "il manque 1\u202f345,67\u00a0€ de financement" in page
    assert ActionChange.objects.filter(action=action, field="expense").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expense_fonctionnement_2025", "-50", "Un montant ne peut pas être négatif."),
        ("funding_etat_2026", "beaucoup", "n&#x27;est pas un montant"),
        ("expense_investissement_2027", "10,555", "deux décimales au plus"),
        ("expense_fonctionnement_2031", "100", None),  # a year outside the period is not even a field
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_lost(
    tenant_a: Tenant, client_a: Client, field: str, value: str, message: str | None
) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    ActionExpenseFactory(action=action, year=2026, amount=Decimal("700"))
    data = _budget_data(action, client_a, expense_fonctionnement_2028="300", **{field: value})
    response = client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), data)
    if message is None:
        assert response.status_code == 302
        assert not ActionExpense.objects.filter(action=action, year=2031).exists()
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'value="300"' in content  # the other amounts typed are still there
    assert list(ActionExpense.objects.filter(action=action).values_list("year", "amount")) == [
        (2026, Decimal("700.00"))
    ]


def test_a_stale_budget_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    stale = _budget_data(action, client_a, expense_fonctionnement_2025="999")
    fresh = _budget_data(action, client_a, expense_fonctionnement_2025="111")
    assert client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), fresh).status_code == 302
    response = client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), stale)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"Dépenses a été modifié par {tenant_a.admin}" in page and "Fonctionnement 2025 : 111" in page
    assert 'value="999"' in page  # the amount typed is still in the grid
    assert ActionExpense.objects.get(action=action).amount == Decimal("111")


def test_engagements_of_fiche_outil_5(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    url = reverse("fiches:engagement_create", args=[action.pk])
    data = {"stakeholder": "Centre social", "level": "porte_deja", "conditions": "Un second animateur"}
    assert client_b.post(url, data).status_code == 404
    client_a.post(url, data)
    engagement = Engagement.objects.get(action=action)
    assert engagement.organization == tenant_a.organization
    page = client_a.get(reverse("fiches:fiche", args=[action.pk])).content.decode()
    assert "Centre social" in page and "Je porte déjà l&#x27;action" in page and "Un second animateur" in page
    assert client_b.post(reverse("fiches:engagement_delete", args=[engagement.pk])).status_code == 404
    client_a.post(reverse("fiches:engagement_delete", args=[engagement.pk]))
    assert not Engagement.objects.exists()


def test_a_calendar_step_outside_the_period_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, objective="Conservé")
    data = _fiche_post(
        action,
        client_a,
        objective="Saisie gardée à l'écran",
        **{
            "steps-0-label": "Trop tard",
            "steps-0-start_year": "2031",
            "steps-0-start_quarter": "1",
            "steps-0-end_year": "2031",
            "steps-0-end_quarter": "2",
        },
    )
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez une année de la période 2025–2028." in content
    assert "Saisie gardée à l&#x27;écran" in content
    action.refresh_from_db()
    assert action.objective == "Conservé" and not action.steps.exists()


def test_a_step_ending_before_it_starts_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    steps = {
        "steps-0-label": "À l'envers",
        "steps-0-start_year": "2027",
        "steps-0-start_quarter": "3",
        "steps-0-end_year": "2027",
        "steps-0-end_quarter": "1",
    }
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), _fiche_post(action, client_a, **steps))
    assert "La fin de l&#x27;étape précède son début." in response.content.decode()
    assert not action.steps.exists()


def test_negative_staff_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    response = client_a.post(
        reverse("fiches:fiche_edit", args=[action.pk]), _fiche_post(action, client_a, human_fte="-1")
    )
    assert "Un nombre d&#x27;ETP ne peut pas être négatif." in response.content.decode()


def test_an_unchanged_save_keeps_every_value_and_records_nothing(tenant_a: Tenant, client_a: Client) -> None:
    texts = {name: f"Première ligne de {name}\nSeconde ligne" for name in ("key_activities", "indicators", "places")}
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, human_fte=Decimal("1.5"), lead_structure="CIAS", **texts)
    page = client_a.get(reverse("fiches:fiche_edit", args=[action.pk]))
    content = page.content.decode()
    assert 'type="number"' not in content  # Chromium shows « 1,50 » in a number input as an empty box
    assert re.search(r'<input type="text" name="human_fte" value="1,50"[^>]* inputmode="decimal"', content)
    data = _browser_post(page)
    assert data["human_fte"] == "1,50" and "\r\n" in data["key_activities"]
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.human_fte == Decimal("1.5") and action.lead_structure == "CIAS"
    assert {name: getattr(action, name) for name in texts} == texts
    assert not ActionChange.objects.filter(action=action).exists()


@pytest.mark.parametrize("typed", ["1,5", "1.5", " 1,50 "])
def test_staff_is_typed_with_a_comma_or_a_dot(tenant_a: Tenant, client_a: Client, typed: str) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    response = client_a.post(
        reverse("fiches:fiche_edit", args=[action.pk]), _fiche_post(action, client_a, human_fte=typed)
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.human_fte == Decimal("1.5")
    change = ActionChange.objects.get(action=action)
    assert (change.field, change.old_value, change.new_value) == ("human_fte", "", "1,5")
    assert 'value="1,50"' in client_a.get(reverse("fiches:fiche_edit", args=[action.pk])).content.decode()


def test_staff_that_is_not_a_number_is_refused_and_nothing_saved(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, human_fte=Decimal("0.5"), objective="Conservé")
    data = _fiche_post(action, client_a, human_fte="abc", objective="Saisie gardée")
    response = client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez un nombre d&#x27;ETP, par exemple 0,5." in content
    assert 'value="abc"' in content and "Saisie gardée" in content  # what was typed stays on screen
    action.refresh_from_db()
    assert (action.human_fte, action.objective) == (Decimal("0.5"), "Conservé")
    assert not ActionChange.objects.filter(action=action).exists()


def test_line_breaks_sent_by_a_browser_are_stored_as_newlines(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, key_activities="Ateliers\nPermanences")
    data = _fiche_post(action, client_a, key_activities="Ateliers\r\nPermanences\r\nVisites à domicile")
    assert client_a.post(reverse("fiches:fiche_edit", args=[action.pk]), data).status_code == 302
    action.refresh_from_db()
    assert action.key_activities == "Ateliers\nPermanences\nVisites à domicile"
    change = ActionChange.objects.get(action=action)
    assert change.old_value == "Ateliers\nPermanences"
    assert change.new_value == "Ateliers\nPermanences\nVisites à domicile"
