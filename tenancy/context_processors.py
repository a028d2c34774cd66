from typing import Any

from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "can_edit": bool(membership and membership.can_edit),
        "is_admin": bool(membership and membership.is_admin),
    }
