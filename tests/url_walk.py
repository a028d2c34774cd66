"""Walks every URL pattern of the project, filling its arguments with real objects of one tenant.

Used by tests/test_isolation.py: a new app's pages are covered as soon as they are routed, provided
their object arguments follow the house convention `<model_name>_pk` and the model has a factory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tenancy.paths import organization_path
from tests.conftest import requires_organization
from tests.factories import all_factories

# URL arguments that are not object ids, with the value to use.
# "code": a workshop group's join code (its routes are all public, see below; the value is never looked up).
PLAIN_ARGUMENTS: dict[str, Any] = {"number": 1, "code": "ABCDEF"}

# Patterns reachable without belonging to the tenant, on purpose; each with its reason.
PUBLIC_PATTERNS: dict[str, str] = {
    "tenancy:accept_invitation": "the secret token in the link is the credential; no tenant data is listed",
    "adoption:public": "opt-in public page of an adopted roadmap: unguessable UUID key, read-only (test_adoption.py)",
    "adoption:public_pdf": "the PDF of that public page's adopted version, same key and opt-in as roadmap:public",
    # Workshop participants have no account: the join code shown in the room gives access to that group
    # only, their signed cookie token to their own ballot (tests/workshops/test_phone.py tests both).
    "workshops:participant_join_form": "asks for a join code; shows no data",
    "workshops:participant_page": "the group's join code is the credential; shows only that group's items",
    "workshops:participant_version": "the group's join code is the credential; returns a number",
    "workshops:participant_join": "creates a participant of the code's group, no account",
    "workshops:participant_item": "a participant's idea, checked against their signed token and group",
    "workshops:participant_vote": "a participant's ballot, checked against their signed token and group",
    "workshops:participant_object": "a participant's objection to a merge of their own group",
    # The front door: for people who are not (yet) logged in, or for one's own account (tests/tenancy/).
    "tenancy:password_reset": "asks for an e-mail address; says the same whether an account exists or not",
    "tenancy:password_reset_done": "a fixed text",
    "tenancy:password_reset_confirm": "the signed, expiring token in the e-mailed link is the credential",
    "tenancy:password_reset_complete": "a fixed text",
    "tenancy:email_confirm": "the signed token and the logged-in account must match; changes only that account",
    "onboarding:join_request": "a territory asks to join; creates only a pending request for the operators",
    "onboarding:join_request_sent": "a fixed text",
    # Steps 1–2: people who are not users answer an invitation or sign in at a meeting (tests/projectgroup/).
    "projectgroup:invitation_answer": "the invitation's unguessable token is the credential; shows that meeting only",
    "projectgroup:checkin": "the meeting's unguessable check-in token (QR code in the room), open on the day only",
    "inspiration:visit_feedback": "the site visit's unguessable feedback link; adds one feedback, shows no data",
    "legal:notice": "the legal notice every public service publishes",
    "legal:privacy": "the personal-data page every public service publishes",
    "legal:accessibility": "the accessibility statement every public service publishes",
    # Questionnaire respondents have no account (tests/questionnaires/test_public.py): the questionnaire's or the
    # invitation link's unguessable token gives that questionnaire only, and nothing else of the organisation.
    "questionnaires:respond": "the questionnaire's or link's unguessable token; shows that questionnaire only",
    "questionnaires:thanks": "a fixed thank-you text of the token's questionnaire",
}

# Django's admin (the operators' back-office) checks staff status itself and names its arguments its own way
# (object_id, app_label); tests/onboarding/test_back_office.py checks that members who are not staff get nothing.
SKIPPED_NAMESPACES = ("admin:",)

# POSTs a read-only member may make because they change no tenant content.
READ_ONLY_ALLOWED_POSTS: dict[str, str] = {
    "tenancy:logout": "ends the member's own session",
    "tenancy:switch_organization": "changes which of the member's own organisations is shown",
    "tenancy:login": "logging in changes no content",
    "tenancy:leave_organization": "the member leaves; what they wrote stays",
    "tenancy:profile": "changes only the person's own name, function and structure",
    "tenancy:password_change": "changes only the person's own password",
    "tenancy:delete_account": "erases only the person's own account, after their password",
    "tenancy:two_factor": "turns the person's own second factor on or off, after a code",
}


# What each route asks of a role (tenancy.access.PERMISSIONS), for the routes the table is about: the walk checks
# that the route declares it and that every role gets exactly what the table grants. Others are walked too, with
# whatever their view declares.
EXPECTED_PERMISSIONS: dict[str, str] = {
    "adoption:adoption": "adopt",
    "roadmap:delete": "delete_roadmap",
    "roadmap:edit": "edit_content",
    "roadmap:enjeu_edit": "edit_content",
    "roadmap:chantier_delete": "edit_content",
    "fiches:fiche_edit": "edit_content",
    "fiches:fiche_budget": "edit_content",
    "documents:exports": "edit_content",
    "tenancy:members": "manage_members",
    "workshops:workshop_create": "run_workshops",
    "chantiers:sheet_priority": "run_workshops",
    "chantiers:sheet_edit": "run_workshops",
    "chantiers:synthesis_pdf": "edit_content",
}


def view_permissions(route: Route) -> tuple[str | None, str | None]:
    """The permissions the route's view declares (tenancy.access.permission_required): (to read, to write)."""
    from django.urls import resolve

    path = reverse(route.name, kwargs={a: PLAIN_ARGUMENTS.get(a, 1) for a in route.arguments})
    func = resolve(path).func
    read, write = getattr(func, "read_permission", None), getattr(func, "write_permission", None)
    return (str(read) if read else None), (str(write) if write else None)


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, e.g. roadmap:enjeu_edit
    arguments: tuple[str, ...]


def iter_routes() -> Iterator[Route]:
    def walk(patterns: list[Any], namespace: str, inherited: tuple[str, ...]) -> Iterator[Route]:
        for entry in patterns:
            arguments = inherited + tuple(getattr(entry.pattern, "converters", {}).keys())
            if isinstance(entry, URLResolver):
                child_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, child_ns, arguments)
            elif isinstance(entry, URLPattern) and entry.name:
                yield Route(f"{namespace}{entry.name}", arguments)

    seen = set()
    for route in walk(get_resolver().url_patterns, "", ()):
        if route.name.startswith(SKIPPED_NAMESPACES):
            continue
        if route.name not in seen:
            seen.add(route.name)
            yield route


def model_for_argument(argument: str) -> type[Model]:
    model_name = argument.removesuffix("_pk")
    matches = [m for m in apps.get_models() if m._meta.model_name == model_name]
    if not argument.endswith("_pk") or len(matches) != 1:
        raise LookupError(
            f"URL argument {argument!r}: name object arguments `<model_name>_pk`, or list it in "
            "tests/url_walk.py PLAIN_ARGUMENTS with a value"
        )
    return matches[0]


class TenantObjects:
    """Creates, once per model, an object belonging to the given tenant."""

    def __init__(self, tenant: Any) -> None:
        self.tenant = tenant
        self.factories = all_factories()
        self.objects: dict[type[Model], Model] = {}

    def get(self, model: type[Model]) -> Model:
        if model not in self.objects:
            factory = self.factories.get(model)
            if factory is None:
                raise LookupError(f"No factory for {model.__name__}: add one in tests/<app>/factories.py")
            field_names = {f.name for f in model._meta.get_fields()}
            kwargs: dict[str, Any] = {}
            if "roadmap" in field_names:
                kwargs["roadmap"] = self.tenant.roadmap
            if "organization" in field_names:
                kwargs["organization"] = self.tenant.organization
            self.objects[model] = factory(**kwargs)
        return self.objects[model]

    def kwargs_for(self, route: Route) -> dict[str, Any]:
        kwargs = {}
        for argument in route.arguments:
            if argument in PLAIN_ARGUMENTS:
                kwargs[argument] = PLAIN_ARGUMENTS[argument]
            else:
                kwargs[argument] = self.get(model_for_argument(argument)).pk
        return kwargs

    def url(self, route: Route) -> str:
        """The route's URL as the application links to it: under this tenant's organisation for its pages."""
        path = reverse(route.name, kwargs=self.kwargs_for(route))
        if requires_organization(path):
            return organization_path(self.tenant.organization.slug, path)
        return path

    def markers(self) -> list[str]:
        """Texts that identify this tenant's objects; none may appear in another tenant's pages."""
        texts = [self.tenant.organization.name] + [str(obj) for obj in self.objects.values()]
        return [t for t in texts if len(t) >= 8]
