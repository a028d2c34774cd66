"""Territories: the communes an organisation works on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tenancy.access import TenantRequest, editor_required, member_required
from territories import actions as workflows
from territories.forms import TerritoryForm


@member_required
@require_safe
def territory_list(request: TenantRequest) -> HttpResponse:
    territories = request.tenant.territories.prefetch_related("communes")
    return render(request, "territories/territory_list.html", {"territories": territories})


@member_required
@require_safe
def territory_detail(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    communes = territory.communes.order_by("name")
    return render(
        request,
        "territories/territory_detail.html",
        {
            "territory": territory,
            "communes": communes,
            "population": territory.population(),
            "has_geometry": territory.has_geometry(),
        },
    )


@editor_required
@require_http_methods(["GET", "POST"])
def territory_create(request: TenantRequest) -> HttpResponse:
    return _territory_form(request, None)


@editor_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    return _territory_form(request, territory)


def _territory_form(request: TenantRequest, territory: Any) -> HttpResponse:
    form = TerritoryForm(request.POST or None, instance=territory, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        territory = workflows.save_territory(form)
        messages.success(request, _("Territoire « %(name)s » enregistré.") % {"name": territory.name})
        return redirect(territory)
    return render(request, "territories/territory_form.html", {"form": form, "territory": territory})


@editor_required
@require_http_methods(["GET", "POST"])
def territory_delete(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    if request.method == "POST":
        try:
            territory.delete()
        except ProtectedError:
            messages.error(request, _("Ce territoire porte une feuille de route : supprimez-la d'abord."))
            return redirect(territory)
        messages.success(request, _("Territoire supprimé."))
        return redirect("territories:territory_list")
    return render(request, "roadmap/confirm_delete.html", {"object": territory})
