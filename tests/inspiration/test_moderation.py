"""Reports and moderation: any organisation reports a published experience; moderators (hub or operator staff) see
the queue and take an experience out of the commons with a reason sent to its owner."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from inspiration.models import Experience, Report
from tenancy.models import Organization, Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory, ReportFactory


def hub_moderator() -> tuple[Organization, Client]:
    from tests.conftest import OrganizationClient

    hub = Organization.objects.create(name="Hub Nouvelle-Aquitaine", kind=Organization.Kind.HUB)
    staff = UserFactory()
    MembershipFactory(user=staff, organization=hub, role=Role.CONTRIBUTEUR)
    client = OrganizationClient(hub)
    client.force_login(staff)
    return hub, client


def test_report_then_unpublish_with_a_reason(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    experience = published(tenant_a, title="Caravane numérique")
    client_b = tenant_b.client_for(tenant_b.contributeur)
    url = tenant_b.url("inspiration:experience_report", experience_pk=experience.pk)
    assert tenant_b.client_for(tenant_b.lecteur).post(url, {"reason": "outdated"}).status_code == 403
    client_b.post(url, {"reason": "outdated", "comment": "Le bus ne circule plus depuis 2024."})
    report = Report.objects.get()
    assert (report.organization, report.reason) == (tenant_b.organization, "outdated")

    hub, moderator = hub_moderator()
    queue = moderator.get(f"/{hub.slug}/inspiration/moderation/").content.decode()
    assert "Caravane numérique" in queue and "Le bus ne circule plus" in queue
    # Members who are not moderators see no queue.
    assert "Le bus ne circule plus" not in client_b.get(tenant_b.url("inspiration:moderation")).content.decode()
    # A territory's contributeur holds `moderate_commons` by role, but only from a hub.
    assert client_b.post(tenant_b.url("inspiration:report_handle", report_pk=report.pk)).status_code == 403
    assert (
        tenant_b.client_for(tenant_b.lecteur)
        .post(tenant_b.url("inspiration:report_handle", report_pk=report.pk))
        .status_code
        == 403
    )
    # Not a moderator: refused whatever the report, which says nothing of another organisation's reports.
    admin_a = tenant_a.client_for(tenant_a.admin)
    for pk in (report.pk, report.pk + 1000):
        url = tenant_a.url("inspiration:report_handle", report_pk=pk)
        assert admin_a.post(url, {"decision": "unpublish", "reason": "x"}).status_code == 403

    handle = f"/{hub.slug}/inspiration/signalements/{report.pk}/"
    moderator.post(handle, {"decision": "unpublish", "reason": ""})  # a reason is required
    assert Experience.objects.get().is_published
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves once the withdrawal is committed
        moderator.post(handle, {"decision": "unpublish", "reason": "Le service a pris fin ; mettez-la à jour."})
    experience.refresh_from_db()
    assert not experience.is_published
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.UNPUBLISHED
    assert [m.to for m in mail.outbox] == [[tenant_a.admin.email]]
    assert "Le service a pris fin" in mail.outbox[0].body
    own = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:experience", experience_pk=experience.pk))
    assert "Le service a pris fin" in own.content.decode()
    assert client_b.get(tenant_b.url("inspiration:experience", experience_pk=experience.pk)).status_code == 404
    assert "Caravane" not in moderator.get(f"/{hub.slug}/inspiration/moderation/").content.decode()
    assert outsider_client.get(f"/{hub.slug}/inspiration/moderation/").status_code == 404


def test_dismiss(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a)
    report = ReportFactory(organization=tenant_b.organization, experience=experience)
    hub, moderator = hub_moderator()
    moderator.post(f"/{hub.slug}/inspiration/signalements/{report.pk}/", {"decision": "dismiss"})
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.DISMISSED
    assert Experience.objects.get().is_published


def test_a_private_experience_cannot_be_reported(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = ExperienceFactory(organization=tenant_a.organization)
    client_b = tenant_b.client_for(tenant_b.admin)
    url = tenant_b.url("inspiration:experience_report", experience_pk=experience.pk)
    assert client_b.post(url, {"reason": "duplicate"}).status_code == 404
    assert not Report.objects.exists()


def test_a_lecteur_of_a_hub_is_no_moderator(tenant_a: Tenant) -> None:
    hub = Organization.objects.create(name="Hub Sud", kind=Organization.Kind.HUB)
    reader = UserFactory()
    MembershipFactory(user=reader, organization=hub, role=Role.LECTEUR)
    experience = published(tenant_a)
    report = ReportFactory(organization=hub, experience=experience)
    from tests.conftest import OrganizationClient

    client = OrganizationClient(hub)
    client.force_login(reader)
    assert client.post(f"/{hub.slug}/inspiration/signalements/{report.pk}/", {"decision": "dismiss"}).status_code == 403


def test_the_moderator_right_is_in_the_permission_table() -> None:
    """`moderate_commons` (README « Rôles et droits »): administrateur and contributeur, from a hub only; operator
    staff from any organisation."""
    from types import SimpleNamespace

    from tenancy.access import PERMISSIONS, Permission, may

    assert [role for role in Role if Permission.MODERATE_COMMONS in PERMISSIONS[role]] == [
        Role.ADMINISTRATEUR,
        Role.CONTRIBUTEUR,
    ]
    hub = Organization(name="Hub", kind=Organization.Kind.HUB)
    territory = Organization(name="CC", kind=Organization.Kind.EPCI)
    staff, person = SimpleNamespace(is_staff=True), SimpleNamespace(is_staff=False)
    for role, in_hub, in_territory, as_staff in (
        (Role.ADMINISTRATEUR, True, False, True),
        (Role.CONTRIBUTEUR, True, False, True),
        (Role.ANIMATEUR, False, False, True),
        (Role.LECTEUR, False, False, True),
    ):
        at_hub = SimpleNamespace(role=role, organization=hub)
        at_territory = SimpleNamespace(role=role, organization=territory)
        assert may(at_hub, Permission.MODERATE_COMMONS, person) is in_hub, role
        assert may(at_territory, Permission.MODERATE_COMMONS, person) is in_territory, role
        assert may(at_territory, Permission.MODERATE_COMMONS, staff) is as_staff, role
    assert may(None, Permission.MODERATE_COMMONS, staff) is False


def test_operator_staff_moderate_from_their_own_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    experience = published(tenant_a, title="Caravane numérique")
    report = ReportFactory(organization=tenant_b.organization, experience=experience)
    operator = tenant_b.lecteur
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    client = tenant_b.client_for(operator)
    queue = client.get(tenant_b.url("inspiration:moderation")).content.decode()
    assert "Caravane numérique" in queue and "Retirer du commun" in queue
    client.post(tenant_b.url("inspiration:report_handle", report_pk=report.pk), {"decision": "dismiss"})
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.DISMISSED


def test_the_hub_tabs_show_where_they_serve(tenant_a: Tenant) -> None:
    """A territory's administrator is not offered a hub's desk nor the commons' moderation; a hub's staff are."""
    from django.urls import reverse

    page = tenant_a.client_for(tenant_a.admin).get(tenant_a.url("inspiration:experience_list")).content.decode()
    assert "Bureau du hub" not in page and reverse("inspiration:moderation") not in page
    _hub, client = hub_moderator()
    page = client.get(reverse("inspiration:experience_list")).content.decode()
    assert "Bureau du hub" in page and reverse("inspiration:moderation") in page
