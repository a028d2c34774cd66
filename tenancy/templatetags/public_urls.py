"""`{% public_url %}`: a link for someone outside the organisation (no organisation segment), see tenancy.middleware."""

from typing import Any

from django import template

from tenancy.paths import public_reverse

register = template.Library()


@register.simple_tag
def public_url(viewname: str, **kwargs: Any) -> str:
    return public_reverse(viewname, kwargs=kwargs or None)
