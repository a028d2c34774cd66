"""The warning given, once, to whoever starts editing an adopted roadmap: their edits open a working version."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from roadmap.models import Roadmap

ADOPTED = (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)


def warn_once_if_adopted(request: HttpRequest, roadmap: Roadmap) -> bool:
    """On the first edit form of an adopted roadmap in this session, say what editing it means; True if warned."""
    if request.method != "GET" or roadmap.status not in ADOPTED:
        return False
    key = f"revision-warned-{roadmap.pk}-{roadmap.adopted_on}"
    if request.session.get(key):
        return False
    request.session[key] = True
    messages.warning(
        request,
        _(
            "Cette feuille de route a été adoptée : vos modifications ouvrent une version de travail. La version "
            "adoptée reste telle que votée et consultable ; les documents produits porteront la mention « Version "
            "de travail » et la liste des changements jusqu'à la prochaine adoption."
        ),
    )
    return True
