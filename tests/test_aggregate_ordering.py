"""Django drops a model's Meta.ordering from queries that GROUP BY (an annotate with an aggregate): a page listing
such a queryset shows its rows in whatever order PostgreSQL returns them — groups « 3, 1, 2 », meetings out of
date order. Every such list in the views says its order; this test reads the code for one that does not."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGGREGATES = {"Count", "Sum", "Max", "Min", "Avg"}
VIEWS = sorted(p for p in ROOT.glob("*/views.py") if ".venv" not in p.parts)


def _aggregates(call: ast.Call) -> bool:
    return any(
        isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in AGGREGATES
        for arg in [*call.args, *(k.value for k in call.keywords)]
    )


def test_every_listed_aggregate_query_says_its_order() -> None:
    unordered = []
    for path in VIEWS:
        tree = ast.parse(path.read_text())
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        # The calls inside a chain (qs.annotate(...) in qs.annotate(...).order_by(...)): only whole chains count.
        inner = {id(c.func.value) for c in calls if isinstance(c.func, ast.Attribute)}
        for node in calls:
            if id(node) in inner:
                continue
            chain, link = [], node
            while isinstance(link, ast.Call) and isinstance(link.func, ast.Attribute):
                chain.append(link)
                link = link.func.value
            if not any(c.func.attr == "annotate" and _aggregates(c) for c in chain):
                continue
            ends = {c.func.attr for c in chain}
            if ends & {"order_by", "values", "values_list", "get", "first", "last", "aggregate", "exists", "count"}:
                continue
            unordered.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unordered, f"aggregate queries listed without order_by: {unordered}"
