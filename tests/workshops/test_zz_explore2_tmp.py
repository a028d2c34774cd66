from django.test import Client
from django.urls import reverse

from tests.workshops.test_query_counts import SMALL, build_workshop, tenant_url
from tests.workshops.test_zz_explore_tmp import count
from workshops.models import Kind, Stage


def test_show(tenant_a):
    client = tenant_a.client_for(tenant_a.animateur)
    w = build_workshop(tenant_a, SMALL, stage=Stage.RANKING)
    g = w.groups.first()
    for name, kw in [
        ("workshop_list", {"roadmap_pk": tenant_a.roadmap.pk}),
        ("workshop_edit", {"workshop_pk": w.pk}),
        ("workshop_detail", {"workshop_pk": w.pk}),
        ("workshop_csv", {"workshop_pk": w.pk}),
        ("workshopgroup_presenter", {"workshopgroup_pk": g.pk}),
        ("workshopgroup_version", {"workshopgroup_pk": g.pk}),
    ]:
        print("==", name)
        count(client, tenant_url(tenant_a, name, **kw), show=True)
    phone = Client()
    print("== phone")
    count(phone, reverse("workshops:participant_page", kwargs={"code": g.code}), show=True)
    print("== phone version")
    count(phone, reverse("workshops:participant_version", kwargs={"code": g.code}), show=True)
    phone.post(reverse("workshops:participant_join", kwargs={"code": g.code}))
    print("== phone joined")
    count(phone, reverse("workshops:participant_page", kwargs={"code": g.code}), show=True)
    print("== phone version joined")
    count(phone, reverse("workshops:participant_version", kwargs={"code": g.code}), show=True)
