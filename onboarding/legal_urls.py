"""The pages a French public service must publish, linked from every page's footer (templates/base.html).

Who publishes and hosts the service, and whom to write to, come from the settings (LEGAL_* in the environment).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

app_name = "legal"


def page(template: str) -> Callable[[HttpRequest], HttpResponse]:
    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, f"legal/{template}.html", {"legal": settings.LEGAL})

    return view


urlpatterns = [
    path("mentions-legales/", page("mentions_legales"), name="notice"),
    path("donnees-personnelles/", page("donnees_personnelles"), name="privacy"),
    path("accessibilite/", page("accessibilite"), name="accessibility"),
]
