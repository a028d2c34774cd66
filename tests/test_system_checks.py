from __future__ import annotations

import builtins
from typing import Any

import pytest

from config.system_checks import check_weasyprint, weasyprint_problem


def test_weasyprint_loads_on_this_machine() -> None:
    assert weasyprint_problem() is None
    assert check_weasyprint(None) == []


def test_a_missing_pango_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def failing_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    errors = check_weasyprint(None)
    assert len(errors) == 1
    assert "libpango-1.0-0" in errors[0].msg and "apt-get install" in errors[0].msg
