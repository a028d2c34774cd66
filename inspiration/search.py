"""Searching the commons in French: full text (stemmed, accents ignored), trigrams for names, filters, ranking and
highlighted extracts.

Both sides of the match go through the database's `inspiration_fold()` and the `french_unaccent` configuration
(migration 0002), so the stored vector (GIN index `experience_search_gin`) is what the query compares with.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import CharField, F, FloatField, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from inspiration.models import SEARCH_CONFIG, Experience, ExperienceQuerySet
from tenancy.models import Organization


class Fold(Func):
    function = "inspiration_fold"
    output_field = CharField()


@functools.cache
def has_trigrams() -> bool:
    """Whether pg_trgm is installed (migration 0002 installs it where the server ships it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


@dataclass
class Criteria:
    text: str = ""
    themes: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    territory_kinds: list[str] = field(default_factory=list)
    budgets: list[str] = field(default_factory=list)
    scope: str = ""  # "" everything visible, "nous" our own, "commun" the other organisations' published ones

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.themes or self.publics or self.territory_kinds or self.budgets or self.scope)


def search(organization: Organization, criteria: Criteria) -> ExperienceQuerySet:
    """The experiences `organization` may read that match, best first, with `inspired_count` and, for a text,
    `rank`. The page highlights the matches itself (`highlighted`): ts_headline would need the unaccent
    dictionary to mark « médiathèque » for « mediatheque », and costs a parse of every text of the page."""
    rows = (
        Experience.objects.visible_to(organization)
        .select_related("organization", "on_behalf_of")
        .with_inspired_count()
        .defer("search_vector", "internal_notes", "contacts")
    )
    if criteria.scope == "nous":
        rows = rows.filter(organization=organization)
    elif criteria.scope == "commun":
        rows = rows.published().exclude(organization=organization)
    if criteria.themes:
        rows = rows.filter(themes__overlap=criteria.themes)
    if criteria.publics:
        rows = rows.filter(publics__overlap=criteria.publics)
    if criteria.territory_kinds:
        rows = rows.filter(territory_kind__in=criteria.territory_kinds)
    if criteria.budgets:
        rows = rows.filter(budget_range__in=criteria.budgets)
    text = criteria.text.strip()[:200]
    if not text:
        return rows.order_by(F("published_at").desc(nulls_last=True), "-updated_at", "-pk")
    query = SearchQuery(Fold(Value(text)), config=SEARCH_CONFIG, search_type="websearch")
    words = [w for w in re.findall(r"\w+", fold(text).lower()) if len(w) >= 3][:8]
    if words:
        # The beginning of a name (« parenthe » for « La Parenthèse »): prefixes of the stored lexemes, which the
        # same GIN index answers. The words are letters and digits only, so the raw tsquery is well-formed.
        query = query | SearchQuery(" & ".join(f"{w}:*" for w in words), config="simple", search_type="raw")
    condition = Q(search_vector=query)
    score: Any = SearchRank(F("search_vector"), query)
    if has_trigrams():
        # Names typed approximately (« mediatek » for « Médiathèque »): trigrams of the folded title, GIN-indexed.
        condition |= Q(TrigramWordSimilar(Fold(F("title")), Fold(Value(text))))  # fold(title) %> text: indexable
        similarity = TrigramWordSimilarity(Fold(Value(text)), Fold(F("title")))  # type: ignore[arg-type]
        score = score + similarity * Value(0.5)
    rows = rows.filter(condition)
    return rows.annotate(rank=Coalesce(score, Value(0.0), output_field=FloatField())).order_by("-rank", "-pk")


def with_details(ids: list[int]) -> list[Experience]:
    """The experiences of one page of results, in the order of `ids`, with what the page shows of them.

    The ranking query selects ids only: sorting thousands of matches is then a sort of narrow rows, and the joins
    and the « N territoires » subquery run for the page's rows alone."""
    rows = (
        Experience.objects.filter(pk__in=ids)
        .select_related("organization", "on_behalf_of")
        .with_inspired_count()
        .defer("search_vector", "internal_notes", "contacts")
    )
    found = {e.pk: e for e in rows}
    return [found[pk] for pk in ids if pk in found]


def fold(text: str) -> str:
    """Accents off, as `inspiration_fold()` does in the database."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def match_prefixes(text: str) -> list[str]:
    """What a word of the text must start with to be shown as a match: the searched words, accents off, without
    their last letters (« itinérant » → « itiner », which « itinérance » starts with too)."""
    words = [w for w in re.findall(r"\w+", fold(text).lower()) if len(w) >= 3 and w not in STOP_WORDS]
    return [w[: max(4, len(w) - 3)] if len(w) > 5 else w for w in words]


def highlighted(text: str, prefixes: list[str], *, around: int = 0) -> SafeString:
    """`text` escaped, its words that start with one of `prefixes` in <mark>; with `around`, only an extract of
    that many words around the first match (the whole text has been matched by the database already)."""
    pieces = re.split(r"(\w+)", text)  # words at the odd positions
    hits = [i for i in range(1, len(pieces), 2) if fold(pieces[i]).lower().startswith(tuple(prefixes or ["\0"]))]
    start, end, before, after = 0, len(pieces), "", ""
    if around and len(pieces) > 2 * around:
        first = hits[0] if hits else 1
        start = max(0, first - around)  # `around` pieces: half as many words, before and after
        end = min(len(pieces), first + 2 * around)
        before, after = ("… " if start else ""), (" …" if end < len(pieces) else "")
    hit_set = set(hits)
    out = [f"<mark>{escape(pieces[i])}</mark>" if i in hit_set else str(escape(pieces[i])) for i in range(start, end)]
    # S308: every piece of the text has been escaped; the only markup is our <mark>.
    return mark_safe(before + "".join(out) + after)  # noqa: S308


STOP_WORDS = frozenset(
    "les des une aux pour par avec dans sur sous est sont qui que quoi dont ces ses leur leurs nos vos".split()
)
