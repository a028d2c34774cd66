"""Territory workflows that touch several tables: saving a territory with its communes, atomically."""

from __future__ import annotations

from django.db import transaction

from territories.forms import TerritoryForm
from territories.models import Territory


@transaction.atomic
def save_territory(form: TerritoryForm) -> Territory:
    """Save the territory from its valid form, and make its communes exactly the ones whose codes were typed."""
    territory = form.save()
    territory.communes.set(form.cleaned_data["commune_codes"])
    return territory
