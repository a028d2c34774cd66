"""A territory asks to join; once an administrateur, it sets up its territory from an EPCI or from communes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onboarding import actions
from onboarding.forms import JoinRequestForm, TerritorySetupForm, epci_choices
from onboarding.models import JoinRequest
from tenancy.access import TenantRequest, admin_required
from tenancy.client_ip import client_ip
from territories.models import Territory

# Join requests accepted from one address per hour: enough for a town hall's staff, not for a script.
JOIN_REQUESTS_PER_HOUR = 5


@require_http_methods(["GET", "POST"])
def join_request(request: HttpRequest) -> HttpResponse:
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"onboarding:join-request:{client_ip(request)}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > JOIN_REQUESTS_PER_HOUR:
            form.add_error(None, _("Trop de demandes envoyées depuis cette adresse : réessayez dans une heure."))
            return render(request, "onboarding/join_request.html", {"form": form}, status=429)
        pending = JoinRequest.objects.filter(
            email=form.cleaned_data["email"], status=JoinRequest.Status.PENDING
        ).exists()
        if not pending:
            join_request = form.save(commit=False)
            review_url = request.build_absolute_uri(reverse("admin:onboarding_joinrequest_changelist"))
            actions.submit_join_request(join_request, review_url)
        return redirect("onboarding:join_request_sent")
    return render(request, "onboarding/join_request.html", {"form": form})


@require_safe
def join_request_sent(request: HttpRequest) -> HttpResponse:
    # A local `make run` has no operator to read the request: say how to validate it oneself.
    return render(request, "onboarding/join_request_sent.html", {"local_service": settings.DEBUG})


@admin_required
@require_http_methods(["GET", "POST"])
def territory_setup(request: TenantRequest) -> HttpResponse:
    form = TerritorySetupForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The same EPCI (or the same communes) twice is most often a second click: the territory is not doubled.
        # Another roadmap on it is for whoever asks for one explicitly (a new period, a fresh start).
        existing = actions.existing_territory(request.tenant, data["commune_list"])
        if existing is not None and data["another_roadmap"]:
            roadmap = actions.start_roadmap(existing)
            messages.success(
                request,
                _("Nouvelle feuille de route créée sur le territoire « %(name)s ».") % {"name": existing.name},
            )
            return redirect(roadmap)
        if existing is None:
            name = data.get("name", "").strip() or data["default_name"]
            kind = Territory.Kind.EPCI if data["mode"] == TerritorySetupForm.EPCI else Territory.Kind.AUTRE
            territory, roadmap = actions.start_territory(request.tenant, name, kind, data["commune_list"])
            count = len(data["commune_list"])
            messages.success(
                request,
                _("Territoire « %(name)s » créé avec ses communes (%(count)s) ; son diagnostic est prêt.")
                % {"name": territory.name, "count": count},
            )
            return redirect(roadmap)
    context = {
        "form": form,
        "epcis": epci_choices(),
        "existing": existing,
        "existing_roadmaps": existing.roadmaps.order_by("-period_start", "title") if existing else [],
    }
    return render(request, "onboarding/territory_setup.html", context)
