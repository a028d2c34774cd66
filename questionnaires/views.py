"""Questionnaire pages: the editors' builder, the members' results and CSV, and the respondents' public page.

Member pages start every lookup from `request.tenant`, so another organisation's questionnaire is a 404. The public
page (`/repondre/<token>/`) is reached with the questionnaire's public token (open and code modes) or an invitation
link's token (link mode); it shows the questionnaire and nothing else of the organisation. A refused answer comes
back with what the respondent typed and a French message; nothing is stored.
"""

from __future__ import annotations

import csv
from typing import Any, cast

import segno
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.csv_cells import spreadsheet_text
from questionnaires import actions, throttle
from questionnaires.actions import Refused
from questionnaires.answering import Reading, field_name, read_answers
from questionnaires.forms import CountForm, QuestionForm, QuestionnaireForm
from questionnaires.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    LINK_TOKEN_LENGTH,
    PUBLIC_TOKEN_LENGTH,
    Kind,
    Mode,
    Phase,
    Question,
    Questionnaire,
    RespondentCode,
    Response,
    ResponseLink,
)
from questionnaires.results import summarize, with_response_counts
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required
from tenancy.paths import public_reverse

# --------------------------------------------------------------------------------------------------------
# members


def _questionnaire(request: TenantRequest, questionnaire_pk: int) -> Questionnaire:
    rows = request.tenant.questionnaires.select_related("roadmap", "before")
    return get_object_or_404(rows, pk=questionnaire_pk)


def _question(request: TenantRequest, question_pk: int) -> Question:
    rows = request.tenant.questionnaire_questions.select_related("questionnaire__roadmap")
    return get_object_or_404(rows, pk=question_pk)


def public_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(public_reverse("questionnaires:respond", kwargs={"token": token}))


def qr_svg(url: str, scale: int = 4) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#111", light="#fff", border=2, omitsize=True)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def questionnaire_list(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire = actions.create_questionnaire(roadmap, **form.cleaned_data)
        messages.success(request, _("Questionnaire créé : ajoutez ses questions."))
        return redirect("questionnaires:questionnaire", questionnaire_pk=questionnaire.pk)
    questionnaires = (
        request.tenant.questionnaires.filter(roadmap=roadmap)
        .select_related("before")
        .annotate(n_responses=with_response_counts())
        .order_by("-created_at", "-pk")
    )
    status = 400 if request.method == "POST" else 200
    context = {"roadmap": roadmap, "questionnaires": questionnaires, "form": form}
    return render(request, "questionnaires/questionnaire_list.html", context, status=status)


def _detail(
    request: TenantRequest,
    questionnaire: Questionnaire,
    *,
    form: QuestionnaireForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    url = public_url(request, questionnaire.public_token)
    context = {
        "questionnaire": questionnaire,
        "roadmap": questionnaire.roadmap,
        "questions": list(questionnaire.questions.all()),
        "form": form or QuestionnaireForm(instance=questionnaire),
        "question_form": question_form or QuestionForm(prefix="new"),
        "count_form": CountForm(),
        "public_url": url if questionnaire.mode != Mode.LINK else "",
        "qr": qr_svg(url) if questionnaire.mode != Mode.LINK else "",
        "n_responses": questionnaire.responses.count(),
        "n_links": questionnaire.links.count(),
        "n_codes": questionnaire.code_owner.codes.count(),
        "after": Questionnaire.objects.filter(before=questionnaire).first(),
        "Mode": Mode,
        "Phase": Phase,
        "Kind": Kind,
    }
    return render(request, "questionnaires/questionnaire_detail.html", context, status=status)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_pk)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instance=Questionnaire.objects.get(pk=questionnaire.pk))
        if form.is_valid():
            try:
                actions.update_settings(questionnaire, form.cleaned_data)
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Questionnaire enregistré."))
                return redirect("questionnaires:questionnaire", questionnaire_pk=questionnaire.pk)
        return _detail(request, questionnaire, form=form, status=400)
    return _detail(request, questionnaire)


@editor_required
@require_POST
def question_add(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_pk)
    form = QuestionForm(request.POST, prefix="new")
    if not form.is_valid():
        return _detail(request, questionnaire, question_form=form, status=400)
    actions.add_question(questionnaire, **form.fields_to_save())
    messages.success(request, _("Question ajoutée."))
    return redirect(
        reverse("questionnaires:questionnaire", kwargs={"questionnaire_pk": questionnaire.pk}) + "#questions"
    )


@editor_required
@require_http_methods(["GET", "POST"])
def question_edit(request: TenantRequest, question_pk: int) -> HttpResponse:
    question = _question(request, question_pk)
    form = QuestionForm(request.POST or None, instance=Question.objects.get(pk=question.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_question(question, form.fields_to_save())
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Question enregistrée."))
            return redirect(
                reverse("questionnaires:questionnaire", kwargs={"questionnaire_pk": question.questionnaire_id})
                + "#questions"
            )
    context = {"question": question, "questionnaire": question.questionnaire, "form": form, "Kind": Kind}
    status = 400 if request.method == "POST" else 200
    return render(request, "questionnaires/question_form.html", context, status=status)


@editor_required
@require_POST
def question_move(request: TenantRequest, question_pk: int) -> HttpResponse:
    question = _question(request, question_pk)
    actions.move_question(question, -1 if request.POST.get("direction") == "up" else 1)
    return redirect(
        reverse("questionnaires:questionnaire", kwargs={"questionnaire_pk": question.questionnaire_id}) + "#questions"
    )


@editor_required
@require_POST
def question_delete(request: TenantRequest, question_pk: int) -> HttpResponse:
    question = _question(request, question_pk)
    try:
        actions.delete_question(question)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Question supprimée."))
    return redirect(
        reverse("questionnaires:questionnaire", kwargs={"questionnaire_pk": question.questionnaire_id}) + "#questions"
    )


@editor_required
@require_POST
def questionnaire_after(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_pk)
    try:
        after = actions.create_after(questionnaire)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("questionnaires:questionnaire", questionnaire_pk=questionnaire.pk)
    messages.success(
        request,
        _(
            "Questionnaire « après » créé avec les mêmes questions : "
            "ses réponses seront appariées par code de répondant."
        ),
    )
    return redirect("questionnaires:questionnaire", questionnaire_pk=after.pk)


@editor_required
@require_POST
def questionnaire_delete(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_pk)
    if questionnaire.responses.exists() and request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Cochez la case pour confirmer : les réponses seront effacées avec le questionnaire.")
        )
        return redirect("questionnaires:questionnaire", questionnaire_pk=questionnaire.pk)
    try:
        actions.delete_questionnaire(questionnaire)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("questionnaires:questionnaire", questionnaire_pk=questionnaire.pk)
    messages.success(request, _("Questionnaire supprimé."))
    return redirect("questionnaires:questionnaire_list", roadmap_pk=questionnaire.roadmap_id)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def questionnaire_links(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    """The invitation links (one answer each): the printable list, with a QR code per link."""
    questionnaire = _questionnaire(request, questionnaire_pk)
    if request.method == "POST":
        form = CountForm(request.POST)
        try:
            if not form.is_valid():
                raise Refused(_("Indiquez un nombre de liens entre 1 et %(max)d.") % {"max": actions.MAX_BATCH})
            made = actions.add_links(questionnaire, form.cleaned_data["count"])
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, ngettext("%(count)d lien créé.", "%(count)d liens créés.", len(made)) % {"count": len(made)}
            )
        return redirect("questionnaires:links", questionnaire_pk=questionnaire.pk)
    answered = set(
        Response.objects.filter(questionnaire=questionnaire, link__isnull=False).values_list("link_id", flat=True)
    )
    links = []
    for link in questionnaire.links.all():
        url = public_url(request, link.token)
        links.append({"link": link, "url": url, "answered": link.pk in answered, "qr": qr_svg(url, scale=2)})
    context = {"questionnaire": questionnaire, "links": links, "count_form": CountForm()}
    return render(request, "questionnaires/links.html", context)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def questionnaire_codes(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    """The respondent codes: the printable list of slips (the questionnaire's address, its QR code, one code)."""
    questionnaire = _questionnaire(request, questionnaire_pk)
    owner = questionnaire.code_owner
    if request.method == "POST":
        form = CountForm(request.POST)
        try:
            if not form.is_valid():
                raise Refused(_("Indiquez un nombre de codes entre 1 et %(max)d.") % {"max": actions.MAX_BATCH})
            made = actions.add_codes(questionnaire, form.cleaned_data["count"])
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, ngettext("%(count)d code créé.", "%(count)d codes créés.", len(made)) % {"count": len(made)}
            )
        return redirect("questionnaires:codes", questionnaire_pk=questionnaire.pk)
    pair = [owner.pk] + list(Questionnaire.objects.filter(before=owner).values_list("pk", flat=True))
    used: dict[int, set[int]] = {}
    for questionnaire_id, code_id in Response.objects.filter(questionnaire_id__in=pair, code__isnull=False).values_list(
        "questionnaire_id", "code_id"
    ):
        used.setdefault(code_id, set()).add(questionnaire_id)
    url = public_url(request, questionnaire.public_token)
    # Each slip's QR code opens this questionnaire with its code already typed.
    codes = [
        {"code": code, "answered": len(used.get(code.pk, ())), "qr": qr_svg(f"{url}?code={code.code}", scale=2)}
        for code in owner.codes.all()
    ]
    context = {
        "questionnaire": questionnaire,
        "owner": owner,
        "codes": codes,
        "url": url,
        "count_form": CountForm(),
        "pair_size": len(pair),
    }
    return render(request, "questionnaires/codes.html", context)


@member_required
@require_safe
def questionnaire_qr(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_pk)
    if questionnaire.mode == Mode.LINK:
        raise Http404("answered by invitation links: each link has its own QR code (the links page)")
    svg = segno.make(public_url(request, questionnaire.public_token), error="m")
    response = HttpResponse(content_type="image/svg+xml")
    svg.save(cast(Any, response), kind="svg", scale=10, border=2)
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{slugify(questionnaire.title)}-qr.svg"'
    return response


@member_required
@require_safe
def questionnaire_results(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    rows = request.tenant.questionnaires.select_related("roadmap", "before").annotate(
        n_responses=with_response_counts()
    )
    questionnaire = get_object_or_404(rows, pk=questionnaire_pk)
    context = {
        "questionnaire": questionnaire,
        "roadmap": questionnaire.roadmap,
        "summaries": summarize([questionnaire]),
    }
    return render(request, "questionnaires/results.html", context)


@member_required
@require_safe
def questionnaire_csv(request: TenantRequest, questionnaire_pk: int) -> HttpResponse:
    """The raw answers: one line per response, one column per question (multiple choices joined with « | »)."""
    questionnaire = _questionnaire(request, questionnaire_pk)
    questions = list(questionnaire.questions.all())
    responses = (
        Response.objects.filter(organization=request.tenant, questionnaire=questionnaire)
        .select_related("code", "link")
        .prefetch_related(Prefetch("answers", to_attr="fetched"))
        .order_by("submitted_at", "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{slugify(questionnaire.title)}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["reponse", "date", "code_repondant", "lien"] + [f"Q{i}. {q.label}" for i, q in enumerate(questions, start=1)]
    )
    # Numbered within the questionnaire in the order received (the database id would show other territories'
    # answers in its gaps: this territory's first answer read « 22 »).
    for number, row in enumerate(responses.iterator(chunk_size=500), start=1):
        by_question = {answer.question_id: answer.display() for answer in row.fetched}
        writer.writerow(
            [
                number,
                timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M"),
                row.code.code if row.code else "",
                row.link.number if row.link else "",
            ]
            + [spreadsheet_text(by_question.get(q.pk, "")) for q in questions]
        )
    return response


# --------------------------------------------------------------------------------------------------------
# respondents (public, no account)


def _find(token: str) -> tuple[Questionnaire | None, ResponseLink | None]:
    """The questionnaire of a public token, and the invitation link when it is one (told apart by length)."""
    if len(token) == LINK_TOKEN_LENGTH:
        link = ResponseLink.objects.select_related("questionnaire").filter(token=token).first()
        if link is not None and link.questionnaire.mode == Mode.LINK:
            return link.questionnaire, link
        return None, None
    if len(token) == PUBLIC_TOKEN_LENGTH:
        questionnaire = Questionnaire.objects.filter(public_token=token).first()
        if questionnaire is not None and questionnaire.mode != Mode.LINK:
            return questionnaire, None
    return None, None


def _message(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "questionnaires/public_message.html", {"title": title, "text": text}, status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        _("Trop d'essais"),
        _("Trop de liens ou de codes erronés ont été essayés depuis cette connexion : patientez quelques minutes."),
        429,
    )


def _unknown(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        _("Questionnaire introuvable"),
        _("Ce lien ne correspond à aucun questionnaire : vérifiez qu'il est complet."),
        404,
    )


def _normalise_code(raw: str) -> str:
    return "".join(char for char in raw.upper() if char not in " -\u00a0.")


def _fields(questions: list[Question], reading: Reading | None) -> list[dict[str, Any]]:
    fields = []
    for question in questions:
        typed = reading.typed.get(question.pk, []) if reading else []
        entry: dict[str, Any] = {
            "question": question,
            "name": field_name(question),
            "typed": typed,
            "value": typed[0] if typed else "",
            "error": reading.errors.get(question.pk, "") if reading else "",
        }
        if question.kind == Kind.LIKERT:
            entry["options"] = [(str(v), label) for v, label in enumerate(question.labels, start=1)]
        elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
            entry["options"] = [(choice, choice) for choice in question.choices]
        fields.append(entry)
    return fields


def _form_page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    questions: list[Question],
    *,
    reading: Reading | None = None,
    error: str = "",
    code: str = "",
    code_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "questionnaire": questionnaire,
        "fields": _fields(questions, reading),
        "error": error,
        "code": code,
        "code_error": code_error,
        "asks_code": questionnaire.mode == Mode.CODE,
        "n_errors": (len(reading.errors) if reading else 0) + (1 if code_error else 0),
    }
    return render(request, "questionnaires/respond.html", context, status=status)


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    questionnaire, link = _find(token)
    if questionnaire is None:
        if throttle.too_many_misses(request):
            return _too_many(request)
        throttle.count_miss(request)
        return _unknown(request)
    # A used link says so at once; a POST is checked under the link's lock (actions.submit).
    if link is not None and request.method == "GET" and Response.objects.filter(link=link).exists():
        return _message(
            request, questionnaire.title, actions.used_link_message(), 409 if request.method == "POST" else 200
        )
    if not questionnaire.is_open():
        return _message(request, questionnaire.title, actions.closed_message(questionnaire), 403)
    questions = list(questionnaire.questions.all())
    if not questions:
        return _message(
            request, questionnaire.title, _("Ce questionnaire n'est pas encore prêt : revenez un peu plus tard."), 200
        )
    if request.method == "GET":
        return _form_page(request, questionnaire, questions, code=_normalise_code(request.GET.get("code", ""))[:20])

    reading = read_answers(questions, request.POST)
    code = None
    typed_code = _normalise_code(request.POST.get("code", ""))[:20]

    def again(**refusal: Any) -> HttpResponse:
        """The form again, as the respondent filled it, with why it was refused."""
        return _form_page(request, questionnaire, questions, reading=reading, code=typed_code, **refusal)

    if questionnaire.mode == Mode.CODE:
        if not typed_code:
            return again(code_error=_("Saisissez votre code de répondant."), status=400)
        valid = len(typed_code) == CODE_LENGTH and all(char in CODE_ALPHABET for char in typed_code)
        code = (
            RespondentCode.objects.filter(questionnaire=questionnaire.code_owner, code=typed_code).first()
            if valid
            else None
        )
        if code is None:
            if throttle.too_many_misses(request):
                return _too_many(request)
            throttle.count_miss(request)
            message = _(
                "Le code « %(code)s » ne correspond à aucun répondant de ce questionnaire : "
                "vérifiez-le sur le papier qui vous a été remis."
            ) % {"code": typed_code}
            return again(code_error=message, status=400)
    if questionnaire.mode == Mode.OPEN and throttle.too_many_open_submits(request):
        message = _("Trop de réponses ont été envoyées depuis cette connexion : patientez quelques minutes.")
        return again(error=message, status=429)
    if not reading.valid:
        return again(status=400)
    try:
        actions.submit(questionnaire, reading.values, link=link, code=code)
    except Refused as refusal:
        return again(error=refusal.message, status=409)
    if questionnaire.mode == Mode.OPEN:
        throttle.count_open_submit(request)
    return redirect("questionnaires:thanks", token=token)


@require_safe
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    questionnaire, _link = _find(token)
    if questionnaire is None:
        return _unknown(request)
    text = questionnaire.thanks or _("Merci, votre réponse est enregistrée.")
    return render(
        request, "questionnaires/public_message.html", {"title": questionnaire.title, "text": text, "done": True}
    )
