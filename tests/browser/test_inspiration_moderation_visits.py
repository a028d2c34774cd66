"""Step 5 as people use it in a browser: a territory reports an experience of the commons, a hub's moderator takes
it out with a reason its owner reads; a site visit is prepared, reported, and rated by a participant on a phone
through the visit's link; the hub's desk shows each territory's seven steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from inspiration.models import Report, SiteVisit, VisitFeedback
from tenancy.models import Organization, Role, User
from tests.conftest import Tenant
from tests.factories import EnjeuFactory, MembershipFactory, UserFactory
from tests.inspiration.conftest import published


def hub_staff() -> tuple[Organization, User]:
    hub = Organization.objects.create(name="Hub Nouvelle-Aquitaine", slug="hub-na", kind=Organization.Kind.HUB)
    person: User = UserFactory()
    MembershipFactory(user=person, organization=hub, role=Role.CONTRIBUTEUR)
    return hub, person


def test_a_report_then_a_withdrawal_the_owner_reads(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    experience = published(tenant_a, title="Caravane numérique du Périgord")
    url_b = tenant_b.url("inspiration:experience", experience_pk=experience.pk)
    reporter = login(open_page(), tenant_b.contributeur, next_url=url_b)
    reporter.get_by_role("link", name="Signaler").click()
    screenshot(reporter, "inspiration-report-form")
    expect(reporter.get_by_text("---------")).to_have_count(0)  # no blank radio button checked in advance
    reporter.get_by_label("Information dépassée").check()
    reporter.get_by_label("Précisions").fill("La caravane ne circule plus depuis 2024.")
    reporter.get_by_role("button", name="Envoyer le signalement").click()
    expect(reporter.get_by_text("l'équipe de modération examinera votre signalement")).to_be_visible()

    hub, person = hub_staff()
    moderator = login(open_page(), person, next_url=f"/{hub.slug}/inspiration/moderation/")
    card = moderator.locator(".card", has_text="Caravane numérique du Périgord")
    expect(card).to_contain_text("Information dépassée")
    expect(card).to_contain_text("La caravane ne circule plus depuis 2024.")
    screenshot(moderator, "inspiration-moderation-queue")
    card.get_by_label("Motif transmis à l’organisation (pour un retrait)").fill(
        "Le service a pris fin : mettez l'expérience à jour avant de la republier."
    )
    card.get_by_role("button", name="Retirer du commun").click()
    expect(moderator.get_by_text("Expérience retirée du commun")).to_be_visible()
    expect(moderator.get_by_text("Aucun signalement à traiter.")).to_be_visible()
    assert Report.objects.get().outcome == Report.Outcome.UNPUBLISHED

    # The reporting territory no longer finds it; its owner reads why.
    response = reporter.goto(url_b)
    assert response is not None and response.status == 404
    owner = login(
        open_page(), tenant_a.admin, next_url=tenant_a.url("inspiration:experience", experience_pk=experience.pk)
    )
    expect(owner.get_by_text("Le service a pris fin : mettez l'expérience à jour")).to_be_visible()
    screenshot(owner, "inspiration-moderation-owner")

    # A territory's members have no queue: they are told who moderates.
    reporter.goto(tenant_b.url("inspiration:moderation"))
    expect(reporter.get_by_text("assurée par les équipes des hubs et de l’opérateur")).to_be_visible()


def test_a_site_visit_prepared_reported_and_rated_on_a_phone(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    published(tenant_b, title="Le bus numérique du Sud Charente")
    page = login(open_page(), tenant_a.contributeur, next_url=tenant_a.url("inspiration:visit_list"))
    page.get_by_label("Intitulé").fill("Visite en Sud Charente")
    page.get_by_label("Feuille de route").select_option(str(tenant_a.roadmap.pk))
    page.get_by_label("Date et heure").fill("2026-03-12T09:30")
    page.get_by_label("Territoire qui accueille").fill("CC Lavalette Tude Dronne")
    page.get_by_role("button", name="Créer la visite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visite en Sud Charente")
    expect(page.get_by_text("Visite créée")).to_be_visible()

    page.get_by_label("Pourquoi cette visite").fill("Voir un bus numérique en vrai, et ce qu'il coûte.")
    page.get_by_label("Programme de la journée").fill("Accueil café\nVisite du bus\nTable ronde avec les élus")
    page.get_by_label("Points clés des témoignages").fill("Travailler main dans la main avec les associations.")
    page.get_by_label("Le bus numérique du Sud Charente").check()  # another territory's published experience
    page.get_by_label("Compte rendu de la visite").fill("Une journée riche ; le bus passe 2 fois par semaine.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Visite enregistrée.")).to_be_visible()
    programme = page.locator("section", has=page.get_by_role("heading", name="Programme")).locator("ol li")
    expect(programme).to_have_text(["Accueil café", "Visite du bus", "Table ronde avec les élus"])
    expect(page.get_by_role("link", name="Le bus numérique du Sud Charente")).to_be_visible()
    expect(page.locator("section p", has_text="le bus passe 2 fois par semaine")).to_be_visible()

    link = page.locator("code").inner_text()
    visit = SiteVisit.objects.get()
    assert link.endswith(f"/visite/avis/{visit.feedback_token}/")
    phone = open_page("phone")  # a participant without an account
    phone.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Visite en Sud Charente")
    expect(phone.locator("input[name=usefulness]")).to_have_count(5)  # 1 to 5, no blank choice
    phone.locator("input[name=usefulness][value='4']").check()
    phone.get_by_label("Ce que je retiens").fill("Le bus va vers les hameaux.")
    phone.get_by_label("Ce que j'aimerais essayer chez nous").fill("Une tournée le jour du marché.")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= phone.viewport_size["width"]  # type: ignore[index]
    screenshot(phone, "inspiration-visit-feedback-phone")
    phone.get_by_role("button", name="Envoyer mon avis").click()
    expect(phone.get_by_text("Merci : votre avis aidera le groupe projet")).to_be_visible()
    assert VisitFeedback.objects.get().usefulness == 4

    page.reload()
    expect(page.get_by_text("1 avis, utilité moyenne 4,0 sur 5")).to_be_visible()
    expect(page.get_by_text("Le bus va vers les hameaux.")).to_be_visible()
    screenshot(page, "inspiration-visit-detail")


def test_the_hub_desk_shows_each_territory_s_seven_steps(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    person: User = UserFactory()
    for tenant in (tenant_a, tenant_b):
        MembershipFactory(user=person, organization=tenant.organization, role=Role.LECTEUR)
    EnjeuFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    page = login(open_page(), person, next_url=tenant_a.url("inspiration:desk"))
    for tenant in (tenant_a, tenant_b):
        strip = page.get_by_test_id(f"desk-steps-{tenant.roadmap.pk}")
        expect(strip.locator("li")).to_have_count(7)  # loaded from each roadmap's own organisation
    expect(page.get_by_test_id(f"desk-steps-{tenant_b.roadmap.pk}").locator("li").nth(2)).to_have_class(
        re.compile("in_progress")
    )
    screenshot(page, "inspiration-desk")
    page.get_by_test_id(f"desk-steps-{tenant_b.roadmap.pk}").get_by_role("link").nth(2).click()
    assert page.url.endswith(tenant_b.url("roadmap:step", roadmap_pk=tenant_b.roadmap.pk, number=3))
