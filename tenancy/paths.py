"""Paths with and without the organisation segment (`/<slug>/…`, see tenancy.middleware)."""

from __future__ import annotations

from typing import Any

from asgiref.local import Local
from django.urls import get_script_prefix, reverse, set_script_prefix

# The script prefix without the organisation, while a tenant request is answered (per thread / task, like Django's).
_outside = Local()


def split_organization(path_info: str) -> tuple[str, str]:
    """`/dronne-et-belle/fiches/3/` → (`dronne-et-belle`, `/fiches/3/`); no segment → ("", path)."""
    segment, slash, rest = path_info.lstrip("/").partition("/")
    if not slash or not segment:
        return "", path_info
    return segment, "/" + rest


def public_reverse(viewname: str, kwargs: dict[str, Any] | None = None) -> str:
    """A URL for someone outside the organisation (no organisation segment), even while a tenant page is answered."""
    outside = getattr(_outside, "prefix", None)
    if outside is None:
        return reverse(viewname, kwargs=kwargs)
    inside = get_script_prefix()
    set_script_prefix(outside)
    try:
        return reverse(viewname, kwargs=kwargs)
    finally:
        set_script_prefix(inside)


def organization_path(slug: str, path: str) -> str:
    """The same organisation-free `path` (as `reverse` gives it outside a request) under an organisation."""
    prefix = getattr(_outside, "prefix", None) or get_script_prefix()
    return f"{prefix}{slug}/{path.removeprefix(prefix)}"


def enter_organization(slug: str) -> str:
    """Links made from now on, in this thread or task, lead into `slug`; returns the prefix to give to `leave`."""
    outside = get_script_prefix()
    _outside.prefix = outside
    set_script_prefix(f"{outside}{slug}/")
    return outside


def leave_organization(outside: str) -> None:
    set_script_prefix(outside)
    del _outside.prefix


def outside_prefix() -> str:
    """The script prefix without the organisation (the site's root, usually `/`)."""
    return getattr(_outside, "prefix", None) or get_script_prefix()
