"""Step 4's pages show this organisation's rows only, including what they reach through step 5: an experience of
another organisation drawn on while it was in the commons is that organisation's private row again once withdrawn."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from chantiers import actions as chantier_actions
from chantiers import forms as chantiers_forms
from chantiers.models import ChantierSheet
from chantiers.synthesis import synthesis
from evaluation import forms as evaluation_forms
from inspiration import actions as inspiration
from inspiration import forms as inspiration_forms
from inspiration.models import Experience
from questionnaires import forms as questionnaires_forms
from resourcemaps import forms as resourcemaps_forms
from roadmap.models import Chantier, Enjeu
from tenancy.models import Organization
from tests.conftest import Tenant
from tests.evaluation.factories import EffectFactory, InterviewFactory, InterviewGuideFactory
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory
from tests.projectgroup.factories import ContactFactory
from tests.url_walk import PUBLIC_PATTERNS, Route, TenantObjects, iter_routes


def test_an_experience_taken_back_by_its_owner_leaves_our_inventory(
    tenant_a: Tenant, tenant_b: Tenant, enjeu_a: Enjeu
) -> None:
    theirs = Experience.objects.create(
        organization=tenant_b.organization,
        title="Leur bus itinérant",
        territory_name="Sud Charente",
        description="Un bus.",
        published_at=timezone.now(),
    )
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, organization=tenant_a.organization)
    chantier.enjeux.add(enjeu_a)
    inspiration.inspire_action(theirs.pk, tenant_a.organization, tenant_a.contributeur, chantier)
    client = tenant_a.client_for(tenant_a.lecteur)
    pages = [
        reverse("chantiers:inventory", kwargs={"roadmap_pk": tenant_a.roadmap.pk}),
        reverse("chantiers:inventory_print", kwargs={"roadmap_pk": tenant_a.roadmap.pk}),
    ]
    for page in pages:
        assert "Leur bus itinérant" in client.get(page).content.decode(), page
    # B takes it back and keeps working on it privately.
    inspiration.withdraw(theirs)
    Experience.objects.filter(pk=theirs.pk).update(title="Projet confidentiel de Bêta", lead_structure="Mairie B")
    for page in pages:
        html = client.get(page).content.decode()
        assert "Projet confidentiel de Bêta" not in html and "Mairie B" not in html, page
        assert f"/inspiration/experiences/{theirs.pk}/" not in html, page


def test_the_synthesis_lists_this_roadmaps_chantiers_only(tenant_a: Tenant, tenant_b: Tenant, enjeu_a: Enjeu) -> None:
    """The synthetic table reads the enjeu's chantiers through the spine's many-to-many link, which no key ties to
    an organisation: a chantier of another organisation linked to our enjeu (by a bug elsewhere, an import, a
    shell) is not shown in our table, wall or PDF."""
    ours: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, organization=tenant_a.organization, title="Alpha-bus")
    ours.enjeux.add(enjeu_a)
    theirs: Chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization, title="Bêta-bus")
    theirs.enjeux.add(enjeu_a)
    rows = synthesis(tenant_a.roadmap)
    assert [c.chantier.title for r in rows for c in r.cells] == ["Alpha-bus"]
    client = tenant_a.client_for(tenant_a.lecteur)
    for name in ("chantiers:synthesis", "chantiers:plenary"):
        html = client.get(reverse(name, kwargs={"roadmap_pk": tenant_a.roadmap.pk})).content.decode()
        assert "Alpha-bus" in html and "Bêta-bus" not in html, name


def test_a_fiche_never_joins_another_organisations_group(tenant_a: Tenant, tenant_b: Tenant, enjeu_a: Enjeu) -> None:
    """A chantier of ours made in the spine joins the group of its first enjeu on its first fiche: only a group of
    our roadmap, even if the chantier was linked to another organisation's enjeu (by a bug elsewhere)."""
    their_enjeu = EnjeuFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization, order=0)
    their_group = chantier_actions.ensure_groups(tenant_b.roadmap)[0]
    ours: Chantier = ChantierFactory(
        roadmap=tenant_a.roadmap, organization=tenant_a.organization, title="Notre chantier"
    )
    ours.enjeux.add(their_enjeu)
    url = reverse("chantiers:sheet_edit", kwargs={"chantier_pk": ours.pk})
    response = tenant_a.client_for(tenant_a.animateur).post(url, {"title": "Notre chantier", "feasibility": "blanc"})
    assert response.status_code == 302
    sheet = ChantierSheet.objects.get(chantier=ours)
    assert sheet.organization == tenant_a.organization and sheet.group is None
    assert not their_group.sheets.exists()


# The walk of tests/test_isolation.py reads another organisation's lists on the pages without arguments only; the
# pages of the newest step apps are mostly under a roadmap, a chantier, a questionnaire…: here B opens its own.
STEP_APPS = ("chantiers:", "resourcemaps:", "evaluation:", "questionnaires:", "inspiration:")
OWN_PAGES = [r for r in iter_routes() if r.name.startswith(STEP_APPS) and r.arguments and r.name not in PUBLIC_PATTERNS]


@pytest.mark.parametrize("route", OWN_PAGES, ids=lambda r: r.name)
def test_our_own_pages_never_show_another_organisations_rows(route: Route, tenant_a: Tenant, tenant_b: Tenant) -> None:
    ours = TenantObjects(tenant_b)
    url = ours.url(route)  # B's objects first: A's, made after, carry the higher numbers of the factories' names
    theirs = TenantObjects(tenant_a)
    for other in OWN_PAGES:
        theirs.kwargs_for(other)
    client = tenant_b.client_for(tenant_b.admin)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 204, 302, 405), (route.name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content = body.decode(errors="replace")
        for marker in theirs.markers():
            assert marker not in content, (route.name, marker)


FORM_MODULES = (chantiers_forms, resourcemaps_forms, evaluation_forms, questionnaires_forms, inspiration_forms)


def _step_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module in FORM_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def _form_context(tenant: Tenant) -> dict[type[forms.BaseForm], dict[str, Any]]:
    """How each view of the step apps builds its forms with choices, for `tenant`."""
    org, roadmap = tenant.organization, tenant.roadmap
    return {
        chantiers_forms.InventoryEntryForm: {"roadmap": roadmap},
        chantiers_forms.SheetForm: {"organization": org, "roadmap": roadmap},
        resourcemaps_forms.ResourceForm: {"organization": org},
        resourcemaps_forms.RotationSessionForm: {"chantiers": roadmap.chantiers.order_by("order", "pk")},
        evaluation_forms.TheoryForm: {"roadmap": roadmap},
        evaluation_forms.IndicatorForm: {"roadmap": roadmap},
        evaluation_forms.InterviewForm: {"roadmap": roadmap},
        evaluation_forms.VerbatimForm: {"interview": InterviewFactory(roadmap=roadmap)},
        inspiration_forms.ExperienceForm: {"organization": org},
        inspiration_forms.PublishForm: {"organization": org, "user": tenant.admin},
        inspiration_forms.InspireForm: {"organization": org},
        inspiration_forms.RecueilForm: {"organization": org},
        inspiration_forms.VisitCreateForm: {"organization": org},
        inspiration_forms.SiteVisitForm: {"organization": org},
    }


def _offers(form: forms.BaseForm) -> list[Any]:
    """Every row the form offers to choose: its model choice fields' querysets, and SheetForm's directory."""
    rows: list[Any] = list(getattr(form, "directory", {}).values())
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            rows += list(field.queryset)
    return rows


def test_no_form_offers_another_organisations_rows(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """Every select, checkbox list or directory of the step apps' forms, built as its view builds it for B, offers
    B's rows only (and the commons' published experiences): an id of A posted there is « not a valid choice »."""
    a, roadmap_a = tenant_a.organization, tenant_a.roadmap
    ContactFactory(organization=a)  # and its actor
    chantier = ChantierFactory(roadmap=roadmap_a, organization=a)
    ActionFactory(roadmap=roadmap_a, organization=a, chantier=chantier)
    DefiFactory(roadmap=roadmap_a, organization=a)
    EnjeuFactory(roadmap=roadmap_a, organization=a)
    EffectFactory(roadmap=roadmap_a)
    InterviewGuideFactory(roadmap=roadmap_a)
    Experience.objects.create(organization=a, title="Privée", territory_name="A", description=".")
    context = _form_context(tenant_b)
    for form_class in _step_forms():
        if not any(isinstance(f, forms.ModelChoiceField) for f in form_class.base_fields.values()):
            continue
        assert form_class in context, f"{form_class.__name__}: say in _form_context how its view builds it"
        offered = _offers(form_class(**context[form_class]))
        for row in offered:
            if isinstance(row, Organization):
                assert row != a, form_class.__name__
            elif isinstance(row, Experience):
                assert row.organization_id == tenant_b.organization.pk or row.is_published, form_class.__name__
            else:
                assert row.organization_id == tenant_b.organization.pk, (form_class.__name__, row)
    # The table is not empty-handed: B's own rows are offered.
    b_roadmap = tenant_b.roadmap
    EffectFactory(roadmap=b_roadmap)
    assert _offers(evaluation_forms.IndicatorForm(roadmap=b_roadmap))
