"""Dates in French typography for the pages of steps 1 and 2: « 1er mars 2030 », « lundi 1er mars 2030, 14 h 30 »."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from documents.typography import french_date

register = template.Library()


@register.filter
def jour(value: datetime.date | datetime.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return french_date(value)


@register.filter
def jour_heure(value: datetime.datetime | None) -> str:
    """The day of the week, the date and the time: « lundi 1er mars 2030, 14 h 30 »."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    time = f"{local.hour}\u00a0h\u00a0{local.minute:02d}"
    return f"{date_format(local, 'l')} {french_date(local.date())}, {time}"


@register.filter
def heure(value: datetime.datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.hour}\u00a0h\u00a0{local.minute:02d}"
