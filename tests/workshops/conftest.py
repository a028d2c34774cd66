"""Shared fixtures of the workshops tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from workshops.phone_views import _client_key


@pytest.fixture(autouse=True)
def _fresh_code_misses(db: None) -> Iterator[None]:
    """Wrong join codes are counted per address in Redis: each test starts with none for the test client's."""
    key = _client_key(RequestFactory().get("/"))
    cache.delete(key)
    yield
    cache.delete(key)
