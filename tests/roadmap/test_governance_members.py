"""The governance bodies' members linked to the directory (projectgroup.BodyMember) in the roadmap's documents:
the PDF and the Word document print them (name, function, structure, role) with the free-text lines no linked
member matches, the same lines in both; the document's build takes the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fiches.document import governance_data, roadmap_document
from fiches.models import GovernanceBody
from projectgroup.models import BodyMember, Contact
from tests.conftest import Tenant
from tests.projectgroup.factories import ActorFactory, ContactFactory
from tests.roadmap.factories import GovernanceBodyFactory
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_council_documents import _docx_texts
from tests.roadmap.test_exports import _download, _export, _pages_text

pytestmark = pytest.mark.django_db

MARIE = "Marie Dupuy, directrice générale des services — Mairie de Ribérac (présidente)"


def seat(tenant: Tenant, body: GovernanceBody, name: str, **fields: object) -> BodyMember:
    organization = tenant.organization
    structure = fields.pop("structure", None)
    actor = ActorFactory(organization=organization, name=structure) if structure else None
    contact: Contact = ContactFactory(organization=organization, full_name=name, actor=actor, **fields)
    return BodyMember.objects.create(organization=organization, body=body, contact=contact)


def test_linked_members_are_printed_in_the_pdf_and_the_docx(
    tenant_a: Tenant, tenant_b: Tenant, client_a: Client
) -> None:
    rich_roadmap(tenant_a.roadmap)
    body: GovernanceBody = GovernanceBodyFactory(
        roadmap=tenant_a.roadmap,
        name="Comité technique du numérique",
        kind="cotech",
        members="Marie Dupuy, DGS\nUn représentant de la CAF",
    )
    marie = seat(
        tenant_a, body, "Marie Dupuy", function="directrice générale des services", structure="Mairie de Ribérac"
    )
    marie.function = "présidente"
    marie.save()
    seat(tenant_a, body, "Karim Benali")  # no function, no structure: his name alone
    # A seat of another organisation's contact on this body (a row that should not exist): never printed.
    stray: Contact = ContactFactory(organization=tenant_b.organization, full_name="Paul Ailleurs")
    BodyMember.objects.create(organization=tenant_b.organization, body=body, contact=stray)

    members = next(b["members"] for b in roadmap_document(tenant_a.roadmap)["governance"] if b["name"] == body.name)
    # The linked people first, then the free-text line no linked person matches (« Marie Dupuy, DGS » is hers).
    assert members == ["Karim Benali", MARIE, "Un représentant de la CAF"]

    url = reverse("documents:exports", args=[tenant_a.roadmap.pk])
    pages = _pages_text(_download(client_a, _export(client_a, url, "roadmap_pdf")))
    governance = " ".join(p for p in pages if "La gouvernance" in p and "Comité technique du numérique" in p)
    governance = governance.split("Comité technique du numérique", 1)[1]
    assert "Marie Dupuy, directrice générale des services — Mairie de Ribérac (présidente)" in governance
    assert "Karim Benali" in governance and "Un représentant de la CAF" in governance
    assert "Marie Dupuy, DGS" not in governance and "Paul Ailleurs" not in " ".join(pages)

    _document, paragraphs, _tables = _docx_texts(_download(client_a, _export(client_a, url, "roadmap_docx")))
    start = paragraphs.index("Comité technique du numérique (Comité technique)")
    assert paragraphs[start + 1 : start + 4] == members
    assert "Paul Ailleurs" not in "\n".join(paragraphs)


def test_the_governance_part_takes_the_same_queries_at_any_size(tenant_a: Tenant) -> None:
    def build_and_count() -> int:
        with CaptureQueriesContext(connection) as queries:
            governance_data(tenant_a.roadmap)
        return len(queries.captured_queries)

    body: GovernanceBody = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
    seat(tenant_a, body, "Alice Un", structure="Médiathèque")
    small = build_and_count()
    for n in range(3):
        other: GovernanceBody = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
        for i in range(4):
            seat(tenant_a, other, f"Personne {n}-{i}", function="élue", structure=f"Commune {n}-{i}")
    assert small == build_and_count() == 2
    assert sum(len(b["members"]) for b in governance_data(tenant_a.roadmap)) == 1 + 3 * (4 + 2) + 2
