import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from django.urls import reverse
from tests.workshops.test_query_counts import build_workshop, tenant_url, SMALL, LARGE, LIVE_STAGES
from workshops.models import Kind, Stage

def count(client, url, show=False, **headers):
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as c:
        r = client.get(url, headers=headers)
    assert r.status_code == 200, (url, r.status_code)
    if show:
        for q in c.captured_queries: print("   ", q["sql"][:200])
    return len(c)

@pytest.mark.parametrize("kind,stage", [(Kind.DIX_ANS, s) for s in LIVE_STAGES] + [(Kind.TOUR_DE_TABLE, Stage.COLLECTION)])
def test_explore(tenant_a, kind, stage):
    client = tenant_a.client_for(tenant_a.animateur)
    res = {}
    for size in (SMALL, LARGE):
        w = build_workshop(tenant_a, size, kind=kind, stage=stage)
        g = w.groups.first()
        pages = {
            "list": tenant_url(tenant_a, "workshop_list", roadmap_pk=tenant_a.roadmap.pk),
            "detail": tenant_url(tenant_a, "workshop_detail", workshop_pk=w.pk),
            "edit": tenant_url(tenant_a, "workshop_edit", workshop_pk=w.pk),
            "plenary": tenant_url(tenant_a, "workshop_plenary", workshop_pk=w.pk),
            "csv": tenant_url(tenant_a, "workshop_csv", workshop_pk=w.pk),
            "presenter": tenant_url(tenant_a, "workshopgroup_presenter", workshopgroup_pk=g.pk),
            "projector": tenant_url(tenant_a, "workshopgroup_projector", workshopgroup_pk=g.pk),
            "version": tenant_url(tenant_a, "workshopgroup_version", workshopgroup_pk=g.pk),
        }
        for name, url in pages.items():
            res.setdefault(name, []).append(count(client, url))
        for name in ("presenter", "projector"):
            res.setdefault(name + "#htmx", []).append(count(client, pages[name], HX_Request="true"))
        phone = Client()
        purl = reverse("workshops:participant_page", kwargs={"code": g.code})
        res.setdefault("phone", []).append(count(phone, purl))
        res.setdefault("phone_version", []).append(count(phone, reverse("workshops:participant_version", kwargs={"code": g.code})))
    print("\n", kind, stage, res)
