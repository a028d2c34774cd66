"""Writes of the questionnaires: building them (editors) and storing an answer (respondents), each atomic.

`submit` is the respondents' one write: checks that guard it (the questionnaire is open, the link or code has not
answered yet) run inside the transaction that holds the link's or code's row lock; the unique constraints of
Response are the last guard when two submits race.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from questionnaires.answering import Value
from questionnaires.models import (
    Answer,
    Kind,
    Mode,
    Phase,
    Question,
    Questionnaire,
    RespondentCode,
    Response,
    ResponseLink,
    new_code,
)
from roadmap.models import Roadmap

MAX_BATCH = 500  # links or codes generated at once


class Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def used_link_message() -> str:
    return _("Ce lien a déjà servi : une réponse a été enregistrée avec lui, et il n'en permet qu'une.")


def used_code_message() -> str:
    return _("Une réponse a déjà été enregistrée avec ce code : chaque code ne permet de répondre qu'une fois.")


def closed_message(questionnaire: Questionnaire) -> str:
    now = timezone.now()
    if questionnaire.opens_at is not None and now < questionnaire.opens_at:
        return _("Ce questionnaire n'est pas encore ouvert : il ouvrira le %(date)s.") % {
            "date": formats.date_format(timezone.localtime(questionnaire.opens_at), "j F Y à H\\hi")
        }
    return _("Ce questionnaire est clos depuis le %(date)s : les réponses ne sont plus acceptées.") % {
        "date": formats.date_format(timezone.localtime(questionnaire.closes_at), "j F Y à H\\hi")
    }


def submit(
    questionnaire: Questionnaire,
    values: dict[int, Value],
    *,
    link: ResponseLink | None = None,
    code: RespondentCode | None = None,
) -> Response:
    """Store one response and its answers, or raise Refused (nothing stored)."""
    if questionnaire.mode == Mode.LINK and link is None:
        raise Refused(_("Ce questionnaire se remplit avec un lien d'invitation personnel."))
    if questionnaire.mode == Mode.CODE and code is None:
        raise Refused(_("Saisissez votre code de répondant."))
    try:
        with transaction.atomic():
            # Lock the link or code and see whether it has answered, in one query.
            if link is not None:
                used = Exists(Response.objects.filter(link=OuterRef("pk")))
                if ResponseLink.objects.select_for_update(of=("self",)).annotate(used=used).get(pk=link.pk).used:
                    raise Refused(used_link_message())
            if code is not None:
                used = Exists(Response.objects.filter(questionnaire=questionnaire, code=OuterRef("pk")))
                if RespondentCode.objects.select_for_update(of=("self",)).annotate(used=used).get(pk=code.pk).used:
                    raise Refused(used_code_message())
            if not questionnaire.is_open():
                raise Refused(closed_message(questionnaire))
            response = Response.objects.create(
                organization_id=questionnaire.organization_id, questionnaire=questionnaire, link=link, code=code
            )
            Answer.objects.bulk_create(
                Answer(
                    organization_id=questionnaire.organization_id,
                    response=response,
                    question_id=question_pk,
                    number=value.number,
                    text=value.text,
                    choices=value.choices,
                )
                for question_pk, value in values.items()
            )
    except IntegrityError:
        # Only a concurrent submit of the same link or code gets here (the lock serialises the others).
        raise Refused(used_link_message() if link is not None else used_code_message()) from None
    return response


def create_questionnaire(roadmap: Roadmap, **fields: object) -> Questionnaire:
    return Questionnaire.objects.create(organization_id=roadmap.organization_id, roadmap=roadmap, **fields)


def add_question(questionnaire: Questionnaire, **fields: object) -> Question:
    with transaction.atomic():
        Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        last = questionnaire.questions.aggregate(m=Max("position"))["m"]
        return Question.objects.create(
            organization_id=questionnaire.organization_id,
            questionnaire=questionnaire,
            position=(last or 0) + 1,
            **fields,
        )


def update_question(question: Question, fields: dict[str, object]) -> Question:
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if fields.get("kind", locked.kind) != locked.kind and locked.answers.exists():
            raise Refused(_("Des réponses ont déjà été données : le type de cette question ne peut plus changer."))
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        return locked


def delete_question(question: Question) -> None:
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.answers.exists():
            raise Refused(
                _("Des réponses ont déjà été données à cette question : la supprimer effacerait ces réponses.")
            )
        locked.delete()


def move_question(question: Question, step: int) -> None:
    """Swap the question with its neighbour above (step -1) or below (+1)."""
    with transaction.atomic():
        Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
        ordered = list(Question.objects.filter(questionnaire_id=question.questionnaire_id).order_by("position", "pk"))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        other = index + step
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def update_settings(questionnaire: Questionnaire, fields: dict[str, object]) -> Questionnaire:
    """Title, texts, mode, dates; the mode cannot change once answers are in (they were given under it)."""
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        mode = fields.get("mode", locked.mode)
        if mode != locked.mode and locked.responses.exists():
            raise Refused(_("Des réponses ont déjà été données : le mode de réponse ne peut plus changer."))
        if mode != Mode.CODE and locked.phase:
            raise Refused(
                _(
                    "Un questionnaire avant/après se remplit avec un code de répondant : "
                    "c'est ce code qui apparie les réponses."
                )
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        return locked


def add_links(questionnaire: Questionnaire, count: int) -> list[ResponseLink]:
    if not 1 <= count <= MAX_BATCH:
        raise Refused(_("Indiquez un nombre de liens entre 1 et %(max)d.") % {"max": MAX_BATCH})
    with transaction.atomic():
        Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        last = questionnaire.links.aggregate(m=Max("number"))["m"] or 0
        return ResponseLink.objects.bulk_create(
            ResponseLink(organization_id=questionnaire.organization_id, questionnaire=questionnaire, number=last + n)
            for n in range(1, count + 1)
        )


def add_codes(questionnaire: Questionnaire, count: int) -> list[RespondentCode]:
    """New respondent codes; an « après » questionnaire uses those of its « avant »."""
    owner = questionnaire.code_owner
    if not 1 <= count <= MAX_BATCH:
        raise Refused(_("Indiquez un nombre de codes entre 1 et %(max)d.") % {"max": MAX_BATCH})
    with transaction.atomic():
        Questionnaire.objects.select_for_update().get(pk=owner.pk)
        taken = set(owner.codes.values_list("code", flat=True))
        fresh: list[str] = []
        while len(fresh) < count:
            code = new_code()
            if code not in taken:
                taken.add(code)
                fresh.append(code)
        return RespondentCode.objects.bulk_create(
            RespondentCode(organization_id=owner.organization_id, questionnaire=owner, code=code) for code in fresh
        )


def create_after(before: Questionnaire) -> Questionnaire:
    """The « après » of a questionnaire: the same questions, each paired with its « avant » twin, the same codes."""
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=before.pk)
        if locked.phase == Phase.AFTER:
            raise Refused(_("Ce questionnaire est déjà l'« après » d'une paire."))
        if Questionnaire.objects.filter(before=locked).exists():
            raise Refused(_("Ce questionnaire a déjà son questionnaire « après »."))
        if locked.mode != Mode.CODE and locked.responses.exists():
            raise Refused(
                _(
                    "Des réponses ont été données sans code de répondant : elles ne pourraient pas être appariées. "
                    "Créez un nouveau questionnaire « avant »."
                )
            )
        locked.mode, locked.phase = Mode.CODE, Phase.BEFORE
        locked.save(update_fields=["mode", "phase", "updated_at"])
        after = Questionnaire.objects.create(
            organization_id=locked.organization_id,
            roadmap_id=locked.roadmap_id,
            title=_("%(title)s (après)") % {"title": locked.title},
            intro=locked.intro,
            thanks=locked.thanks,
            mode=Mode.CODE,
            phase=Phase.AFTER,
            before=locked,
        )
        Question.objects.bulk_create(
            Question(
                organization_id=q.organization_id,
                questionnaire=after,
                position=q.position,
                kind=q.kind,
                label=q.label,
                help_text=q.help_text,
                required=q.required,
                choices=q.choices,
                scale_labels=q.scale_labels,
                min_value=q.min_value,
                max_value=q.max_value,
                before_question=q,
            )
            for q in locked.questions.all()
        )
        return after


def delete_questionnaire(questionnaire: Questionnaire) -> None:
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if Questionnaire.objects.filter(before=locked).exists():
            raise Refused(_("Supprimez d'abord son questionnaire « après », qui utilise ses codes de répondant."))
        # Responses hold the links and codes (PROTECT): they go first.
        Response.objects.filter(questionnaire=locked).delete()
        if locked.phase == Phase.AFTER and locked.before_id:
            Questionnaire.objects.filter(pk=locked.before_id).update(phase=Phase.SINGLE)
        locked.delete()


__all__ = ["Kind", "Refused", "submit"]
