"""Operators' back-office: join requests with their decision, and every organisation's data read-only.

Organisation-owned rows (roadmaps, fiches, workshops…) are shown to operators to help a territory, never changed
from here: a territory's content is its own. Changes that are made here are logged by the admin (LogEntry).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.exceptions import AlreadyRegistered
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding import actions
from onboarding.forms import DecisionForm
from onboarding.models import JoinRequest
from tenancy.models import Invitation


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    # The decision first: at the end of the row, it was off-screen on a laptop.
    list_display = ["decide", "organization_name", "kind", "siren", "full_name", "email", "status", "created_at"]
    list_display_links = ["organization_name"]
    # A request is read here and decided on its own page: the top of this page links to it.
    change_form_template = "onboarding/admin_joinrequest_change_form.html"
    list_filter = ["status", "kind"]
    search_fields = ["organization_name", "siren", "email", "full_name"]
    readonly_fields = [
        "organization_name",
        "kind",
        "siren",
        "full_name",
        "function",
        "email",
        "message",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
        "organization",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Every field is read-only: « Enregistrer » would save nothing; the decision is the page's one action.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("décision"))
    def decide(self, obj: JoinRequest) -> str:
        if not obj.is_pending:
            return str(obj.get_status_display())
        return format_html('<a href="{}">{}</a>', f"{obj.pk}/decider/", _("Valider ou refuser"))

    def get_urls(self) -> list[Any]:
        return [
            path("<int:object_id>/decider/", self.admin_site.admin_view(self.decide_view), name="onboarding_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        join_request = get_object_or_404(JoinRequest, pk=object_id)
        if not self.has_change_permission(request, join_request):
            return redirect("admin:index")
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and join_request.is_pending:
            operator: Any = request.user
            try:
                if form.cleaned_data["decision"] == DecisionForm.APPROVE:

                    def link_for(invitation: Invitation) -> str:
                        return request.build_absolute_uri(invitation.get_absolute_url())

                    organization = actions.approve(join_request, operator, link_for)
                    self.log_change(request, join_request, _("Validée : organisation créée"))
                    messages.success(
                        request,
                        _("« %(name)s » est créée ; %(email)s est invité(e) comme administrateur.")
                        % {"name": organization.name, "email": join_request.email},
                    )
                else:
                    actions.refuse(join_request, operator, form.cleaned_data["reason"])
                    self.log_change(
                        request, join_request, _("Refusée : %(reason)s") % {"reason": form.cleaned_data["reason"]}
                    )
                    messages.success(request, _("Demande refusée ; le motif est envoyé au demandeur."))
            except actions.AlreadyDecided:
                messages.error(request, _("Cette demande a déjà été traitée."))
            return redirect("admin:onboarding_joinrequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Décider de la demande de %(name)s") % {"name": join_request.organization_name},
            "join_request": join_request,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "onboarding/admin_decide.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An organisation's own data, for an operator who helps it: seen, never changed from the back-office."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _organization_owned(model: type[Model]) -> bool:
    return any(getattr(f, "name", "") == "organization" and f.is_relation for f in model._meta.get_fields())


# Tenancy's own models are registered in tenancy/admin.py; every other organisation-owned model, read-only here.
for _model in apps.get_models():
    if _model._meta.app_label in {"tenancy", "onboarding"} or not _organization_owned(_model):
        continue
    try:
        admin.site.register(_model, ReadOnlyAdmin)
    except AlreadyRegistered:
        pass
