"""Start-up checks for what pip cannot install: the system libraries behind WeasyPrint."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

# WeasyPrint loads these through cffi; the Debian package that provides each one.
WEASYPRINT_LIBRARIES = {
    "pango": "libpango-1.0-0",
    "pangoft2": "libpangoft2-1.0-0",
    "harfbuzz-subset": "libharfbuzz-subset0",
    "gobject": "libglib2.0-0",
    "fontconfig": "libfontconfig1",
}


def weasyprint_problem() -> str | None:
    """None when WeasyPrint loads; otherwise a French message naming the Debian package to install."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        text = str(error)
        packages = [pkg for lib, pkg in WEASYPRINT_LIBRARIES.items() if lib in text.lower()]
        named = ", ".join(packages) or "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        return (
            f"WeasyPrint ne trouve pas une bibliothèque système ({text.splitlines()[0]}). "
            f"Installez le paquet Debian : {named} (apt-get install {named})."
        )
    return None


@register()
def check_weasyprint(app_configs: Any, **kwargs: Any) -> list[Error]:
    problem = weasyprint_problem()
    return [Error(problem, id="cap.E001")] if problem else []
