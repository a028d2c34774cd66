"""Step 5 pages: the commons (search), an experience and its documents, « je m'en inspire », reports and the
moderators' queue, recueils, and the hub's desk. Every lookup starts from `request.tenant`; another organisation's
experience is reached only through `Experience.objects.visible_to(request.tenant)`."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents import actions as documents
from documents.models import ExportJob
from inspiration import actions as workflows
from inspiration.forms import (
    DocumentForm,
    ExperienceForm,
    InspireForm,
    ModerationForm,
    PublishForm,
    RecueilForm,
    ReportForm,
    SearchForm,
    SiteVisitForm,
    VisitCreateForm,
    VisitFeedbackForm,
)
from inspiration.models import Experience, ExperienceDocument, Inspiration, Report, SiteVisit
from inspiration.search import Criteria, highlighted, match_prefixes, search, with_details
from projectgroup.models import MeetingKind
from tenancy.access import (
    Permission,
    TenantRequest,
    editor_required,
    may,
    member_required,
    read_or_edit_required,
)
from tenancy.models import Membership, User
from tenancy.paths import public_reverse

PAGE_SIZE = 20
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts the results up to COUNT_CAP + 1 only: a common word in a large commons is « plus de 1 000 »
    results, and counting every match would cost as much as ranking them all a second time."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list.order_by()  # type: ignore[attr-defined]
        return int(rows[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped:
            top = min(top, self.count)
        return Page(self.object_list[bottom:top], number, self)


def _user(request: TenantRequest) -> User:
    """The member (tenancy.access has checked the login)."""
    return cast(User, request.user)


def _visible(request: TenantRequest, experience_pk: int) -> Experience:
    rows = Experience.objects.visible_to(request.tenant).select_related("organization", "on_behalf_of")
    return get_object_or_404(rows.with_inspired_count(), pk=experience_pk)


def _own(request: TenantRequest, experience_pk: int) -> Experience:
    return get_object_or_404(request.tenant.experiences, pk=experience_pk)


@member_required
@require_safe
def experience_list(request: TenantRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    criteria = Criteria(
        text=data.get("q", ""),
        themes=data.get("theme", []),
        publics=data.get("public", []),
        territory_kinds=data.get("territoire", []),
        budgets=data.get("budget", []),
        scope=data.get("portee", ""),
    )
    ranked = search(request.tenant, criteria).values_list("pk", flat=True)
    page = CappedPaginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    prefixes = match_prefixes(criteria.text)
    results = [
        {
            "experience": e,
            "title": highlighted(e.title, prefixes),
            "extract": highlighted(e.description, prefixes, around=30),
            "own": e.organization_id == request.tenant.pk,
        }
        for e in with_details(list(page.object_list))
    ]
    query = request.GET.copy()
    query.pop("page", None)
    template = "inspiration/experience_list.html#results" if request.htmx else "inspiration/experience_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "results": results, "criteria": criteria, "query": query.urlencode()},
    )


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def experience_create(request: TenantRequest) -> HttpResponse:
    form = ExperienceForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        experience = form.save(commit=False)
        experience.organization = request.tenant
        experience.created_by = _user(request)
        experience.save()
        form.save_m2m()
        messages.success(request, _("Expérience enregistrée. Elle reste privée tant que vous ne la publiez pas."))
        return redirect("inspiration:experience", experience_pk=experience.pk)
    return render(request, "inspiration/experience_form.html", {"form": form})


@member_required
@require_safe
def experience_detail(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _visible(request, experience_pk)
    own = experience.organization_id == request.tenant.pk
    documents_qs = experience.documents.all() if own else experience.documents.filter(is_public=True)
    context: dict[str, Any] = {
        "experience": experience,
        "own": own,
        "fields": experience.shown_to(request.tenant),
        "documents": documents_qs,
        "our_inspirations": Inspiration.objects.filter(organization=request.tenant, experience=experience)
        .select_related("chantier", "action")
        .order_by("-created_at"),
        "report_form": ReportForm(),
    }
    if own:
        context |= {
            "enjeux": experience.enjeux.all(),
            "chantiers": experience.chantiers.all(),
            "publish_form": PublishForm(user=request.user, organization=request.tenant),
            "document_form": DocumentForm(),
        }
    return render(request, "inspiration/experience_detail.html", context)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def experience_edit(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _own(request, experience_pk)
    form = ExperienceForm(request.POST or None, instance=experience, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Expérience mise à jour."))
        return redirect("inspiration:experience", experience_pk=experience.pk)
    return render(request, "inspiration/experience_form.html", {"form": form, "experience": experience})


@editor_required
@require_POST
def experience_delete(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _own(request, experience_pk)
    experience.delete()
    messages.success(request, _("Expérience supprimée."))
    return redirect("inspiration:experience_list")


@editor_required
@require_POST
def experience_publish(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _own(request, experience_pk)
    form = PublishForm(request.POST, user=request.user, organization=request.tenant)
    if form.is_valid():
        try:
            workflows.publish(experience, _user(request), form.cleaned_data["on_behalf_of"])
        except workflows.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Expérience publiée : tous les territoires peuvent la découvrir."))
    return redirect("inspiration:experience", experience_pk=experience.pk)


@editor_required
@require_POST
def experience_withdraw(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _own(request, experience_pk)
    workflows.withdraw(experience)
    messages.success(request, _("Expérience retirée du commun : elle n'est plus visible que de votre organisation."))
    return redirect("inspiration:experience", experience_pk=experience.pk)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def experience_inspire(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _visible(request, experience_pk)
    form = InspireForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _user(request)
        if data["target"] == "action":
            inspiration = workflows.inspire_action(experience.pk, request.tenant, user, data["chantier"])
            messages.success(request, _("Fiche action créée à partir de l'expérience : complétez-la."))
        else:
            inspiration = workflows.inspire_chantier(
                experience.pk, request.tenant, user, data["roadmap"], data.get("defi")
            )
            messages.success(request, _("Chantier créé à partir de l'expérience."))
        return redirect(inspiration.target_url)
    return render(request, "inspiration/experience_inspire.html", {"experience": experience, "form": form})


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def experience_report(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _visible(request, experience_pk)
    if experience.organization_id == request.tenant.pk or not experience.is_published:
        return redirect("inspiration:experience", experience_pk=experience.pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            workflows.report(experience.pk, request.tenant, _user(request), data["reason"], data["comment"])
        except workflows.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Merci : l'équipe de modération examinera votre signalement."))
        return redirect("inspiration:experience", experience_pk=experience.pk)
    return render(request, "inspiration/experience_report.html", {"experience": experience, "form": form})


@editor_required
@require_POST
def document_upload(request: TenantRequest, experience_pk: int) -> HttpResponse:
    experience = _own(request, experience_pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = form.save(commit=False)
        document.organization = request.tenant
        document.experience = experience
        document.save()
        messages.success(request, _("Document ajouté."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("inspiration:experience", experience_pk=experience.pk)


@member_required
@require_safe
def document_download(request: TenantRequest, experiencedocument_pk: int) -> HttpResponse:
    """Our own documents, or the public ones of an experience published in the commons."""
    rows = ExperienceDocument.objects.filter(
        Q(organization=request.tenant) | Q(is_public=True, experience__published_at__isnull=False)
    )
    document = get_object_or_404(rows, pk=experiencedocument_pk)
    stored = document.file.name or ""
    name = document.title + (stored[stored.rfind(".") :] if "." in stored else "")
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = document.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)


@editor_required
@require_POST
def document_delete(request: TenantRequest, experiencedocument_pk: int) -> HttpResponse:
    document = get_object_or_404(request.tenant.experience_documents, pk=experiencedocument_pk)
    experience_pk = document.experience_id
    document.file.delete(save=False)
    document.delete()
    messages.success(request, _("Document supprimé."))
    return redirect("inspiration:experience", experience_pk=experience_pk)


@member_required
@require_safe
def moderation(request: TenantRequest) -> HttpResponse:
    """The commons' report queue, for its moderators (`moderate_commons`); others learn who moderates."""
    moderator = may(request.membership, Permission.MODERATE_COMMONS, request.user)
    reports = (
        Report.objects.filter(outcome=Report.Outcome.OPEN, experience__published_at__isnull=False)
        .select_related("experience__organization", "organization")
        .order_by("created_at")
        if moderator
        else Report.objects.none()
    )
    return render(
        request, "inspiration/moderation.html", {"moderator": moderator, "reports": reports, "form": ModerationForm()}
    )


@member_required
@require_POST
def report_handle(request: TenantRequest, report_pk: int) -> HttpResponse:
    # `moderate_commons` (tenancy.access): hub staff from their hub, operator staff. Reports come from every
    # organisation: a moderator handles any one, whoever sent it, but only while its experience is in the commons.
    # Once its owner took it back it is that organisation's private row again: a 404, as everywhere.
    if not may(request.membership, Permission.MODERATE_COMMONS, request.user):
        raise PermissionDenied
    reports = Report.objects.filter(experience__published_at__isnull=False).select_related("experience")
    report = get_object_or_404(reports, pk=report_pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "unpublish":
                workflows.unpublish_reported(report, _user(request), form.cleaned_data["reason"])
                messages.success(request, _("Expérience retirée du commun ; l'organisation a reçu le motif."))
            else:
                workflows.dismiss(report, _user(request))
                messages.success(request, _("Signalement classé sans suite."))
        except workflows.Refused as refusal:
            messages.error(request, str(refusal))
    return redirect("inspiration:moderation")


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def recueil_list(request: TenantRequest) -> HttpResponse:
    form = RecueilForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        recueil = form.save(commit=False)
        recueil.organization = request.tenant
        recueil.save()
        return redirect("inspiration:recueil", recueil_pk=recueil.pk)
    # Counted as the recueil shows them (Recueil.selected): an experience another organisation took back since is
    # its private row again and drops out. Django leaves Meta.ordering out of queries with an aggregate: the order
    # is said here.
    readable = Q(experiences__organization=request.tenant) | Q(experiences__published_at__isnull=False)
    recueils = (
        request.tenant.recueils.annotate(n=Count("experiences", filter=readable))
        .select_related("roadmap")
        .order_by("-created_at", "-pk")
    )
    return render(request, "inspiration/recueil_list.html", {"recueils": recueils, "form": form})


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def recueil_detail(request: TenantRequest, recueil_pk: int) -> HttpResponse:
    recueil = get_object_or_404(request.tenant.recueils.select_related("roadmap"), pk=recueil_pk)
    if request.method == "POST":
        if "export" in request.POST:
            documents.start_export("inspiration_recueil_pdf", recueil, _user(request))
            messages.success(request, _("Le recueil est en cours de mise en page."))
        else:
            wanted = {int(pk) for pk in request.POST.getlist("experiences") if pk.isdigit()}
            visible = Experience.objects.visible_to(request.tenant).filter(pk__in=wanted)
            recueil.experiences.set(visible)
            messages.success(request, _("Sélection enregistrée."))
        return redirect("inspiration:recueil", recueil_pk=recueil.pk)
    jobs = ExportJob.objects.filter(organization=request.tenant).of(recueil).order_by("-created_at")[:10]
    chosen = set(recueil.experiences.values_list("pk", flat=True))
    candidates = Experience.objects.visible_to(request.tenant).select_related("organization").order_by("title")
    return render(
        request,
        "inspiration/recueil_detail.html",
        {"recueil": recueil, "selected": recueil.selected(), "candidates": candidates, "chosen": chosen, "jobs": jobs},
    )


@member_required
@require_safe
def desk_steps(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """One roadmap's seven steps, from the step registry, for its line on the hub's desk (loaded by the desk under
    the roadmap's organisation; the registry's fixed cost per roadmap, the desk's own fixed cost per page)."""
    from roadmap.steps import roadmap_steps

    roadmap = get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)
    return render(request, "inspiration/desk_steps.html", {"roadmap": roadmap, "steps": roadmap_steps(roadmap)})


@member_required
@require_safe
def desk(request: TenantRequest) -> HttpResponse:
    """The hub's desk: every organisation the person belongs to, in a fixed number of queries."""
    from inspiration.desk import build_desk

    memberships = Membership.objects.filter(user=_user(request)).select_related("organization")
    return render(request, "inspiration/desk.html", {"desk": build_desk([m.organization for m in memberships])})


def _visit(request: TenantRequest, sitevisit_pk: int) -> SiteVisit:
    rows = request.tenant.site_visits.select_related("meeting__roadmap")
    return get_object_or_404(rows, pk=sitevisit_pk)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def visit_list(request: TenantRequest) -> HttpResponse:
    form = VisitCreateForm(request.POST or None, organization=request.tenant)
    if request.method == "POST":
        meeting_pk = request.POST.get("meeting", "")
        if meeting_pk.isdigit():
            meeting = get_object_or_404(request.tenant.meetings.filter(kind=MeetingKind.VISITE), pk=int(meeting_pk))
            visit = workflows.complete_visit_meeting(request.tenant, meeting)
            return redirect("inspiration:visit", sitevisit_pk=visit.pk)
        if form.is_valid():
            data = form.cleaned_data
            visit = workflows.create_visit(
                request.tenant, data["roadmap"], data["title"], data["starts_at"], data["host_territory"], data["place"]
            )
            messages.success(request, _("Visite créée : précisez-en les objectifs et le programme."))
            return redirect("inspiration:visit", sitevisit_pk=visit.pk)
    visits = (
        request.tenant.site_visits.select_related("meeting")
        .annotate(n_feedbacks=Count("feedbacks"))
        .order_by("-meeting__starts_at", "-pk")
    )
    planned = request.tenant.meetings.filter(kind=MeetingKind.VISITE, site_visit__isnull=True).order_by("starts_at")
    return render(request, "inspiration/visit_list.html", {"visits": visits, "planned": planned, "form": form})


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def visit_detail(request: TenantRequest, sitevisit_pk: int) -> HttpResponse:
    visit = _visit(request, sitevisit_pk)
    form = SiteVisitForm(request.POST or None, instance=visit, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        workflows.save_visit(visit, form.cleaned_data, form.cleaned_data["report"])
        messages.success(request, _("Visite enregistrée."))
        return redirect("inspiration:visit", sitevisit_pk=visit.pk)
    feedbacks = list(visit.feedbacks.all())
    average = sum(f.usefulness for f in feedbacks) / len(feedbacks) if feedbacks else None
    return render(
        request,
        "inspiration/visit_detail.html",
        {
            "visit": visit,
            "meeting": visit.meeting,
            "form": form,
            "attendances": visit.meeting.attendances.select_related("contact"),
            "contacts_met": visit.contacts_met.all(),
            "experiences": Experience.objects.visible_to(request.tenant).filter(pk__in=visit.experiences.values("pk")),
            "feedbacks": feedbacks,
            "average": average,
            "feedback_url": request.build_absolute_uri(
                public_reverse("inspiration:visit_feedback", kwargs={"token": visit.feedback_token})
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def visit_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """A participant's short feedback after the visit: the visit's unguessable link is the credential, no account."""
    visit = SiteVisit.objects.select_related("meeting", "organization").filter(feedback_token=token).first()
    if visit is None:
        raise Http404
    form = VisitFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feedback = form.save(commit=False)
        feedback.organization_id = visit.organization_id
        feedback.visit = visit
        feedback.save()
        return render(request, "inspiration/visit_feedback.html", {"visit": visit, "thanks": True})
    return render(request, "inspiration/visit_feedback.html", {"visit": visit, "form": form})
