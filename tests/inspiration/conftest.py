from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from inspiration.models import Experience
from tests.conftest import Tenant, make_tenant
from tests.inspiration.factories import ExperienceFactory


def published(tenant: Tenant, **fields: Any) -> Experience:
    experience: Experience = ExperienceFactory(organization=tenant.organization, **fields)
    experience.published_at = timezone.now()
    experience.save()
    return experience


@pytest.fixture
def tenant_c(db: None) -> Tenant:
    return make_tenant("Communauté Gamma")
