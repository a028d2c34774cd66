from typing import Any

from django.http import HttpRequest

from tenancy.access import page_permissions


def tenant(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        **page_permissions(request),  # `may`, `can_edit`, `is_admin`: from the one permission table
    }
