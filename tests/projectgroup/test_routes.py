"""Every address of steps 1–2 reaches this app's view (no other app's pattern shadows it) and public ones carry
no organisation."""

from __future__ import annotations

from django.urls import URLPattern, resolve, reverse

from projectgroup import urls
from tests.url_walk import PUBLIC_PATTERNS

SAMPLE = {"token": "abc", "roadmap_pk": 1}


def test_every_route_resolves_to_its_own_view() -> None:
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: SAMPLE.get(name, 1) for name in pattern.pattern.converters}
        path = reverse(f"projectgroup:{pattern.name}", kwargs=kwargs)
        match = resolve(path)
        assert match.func.__module__ == "projectgroup.views", (pattern.name, path, match.func.__module__)
        assert match.url_name == pattern.name, (path, match.url_name)


def test_only_the_token_pages_are_public() -> None:
    public = {name.removeprefix("projectgroup:") for name in PUBLIC_PATTERNS if name.startswith("projectgroup:")}
    assert public == {"invitation_answer", "checkin"}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        requires = getattr(pattern.callback, "requires_organization", False)
        assert requires == (pattern.name not in public), pattern.name
