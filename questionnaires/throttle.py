"""Per-address throttles of the public questionnaire pages, on the pattern of the workshops' join-code throttle
(workshops/phone_views.py `_lookup`): per-address counters of `tenancy.throttle`.

- Wrong links and wrong respondent codes are counted; past MISSES_ALLOWED in WINDOW seconds, wrong ones are
  refused as « too many » without being looked up. A right link or code is never refused: a room behind one
  shared address keeps answering while someone there mistypes.
- Open questionnaires (no link, no code) accept at most OPEN_SUBMITS_ALLOWED answers per address per WINDOW, so
  one machine cannot flood the results.
"""

from __future__ import annotations

from django.http import HttpRequest

from tenancy import throttle

MISSES_ALLOWED = 40
OPEN_SUBMITS_ALLOWED = 300
WINDOW = 10 * 60


def too_many_misses(request: HttpRequest) -> bool:
    return throttle.reached("questionnaires:misses", request, MISSES_ALLOWED)


def count_miss(request: HttpRequest) -> None:
    throttle.count("questionnaires:misses", request, WINDOW)


def too_many_open_submits(request: HttpRequest) -> bool:
    return throttle.reached("questionnaires:open", request, OPEN_SUBMITS_ALLOWED)


def count_open_submit(request: HttpRequest) -> None:
    throttle.count("questionnaires:open", request, WINDOW)
