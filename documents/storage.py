"""Where an organisation's files are stored: under its own folder, so no path is shared between tenants."""

from __future__ import annotations

from typing import Any


def tenant_upload_path(instance: Any, filename: str) -> str:
    return f"tenants/{instance.organization_id}/roadmap/{filename}"
