"""Filters and tags of step 7's templates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from fiches import budget
from fiches.budget import Grid

register = template.Library()


@register.filter
def euros(value: Decimal | None) -> str:
    """An amount in euros the French way (as in the fiches' budget)."""
    return budget.euros(value)


@register.simple_tag
def planned_cell(grid: Grid, row: int, column: int) -> str:
    """The planned amount of one row and year of a fiche's plan, beside the realised field."""
    return budget.euros(grid.rows[row].cells[column])
