"""How people find places (see bridgework.web.search)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable

from .selectors import place_contexts
from .views import PlaceViewSet

__all__ = ["FINDABLES"]


def _where(places, user) -> list[str]:
    """Each place's code and the places above it ("MW-LI · Central Region, Malawi")."""
    contexts = place_contexts(places, user)
    return [
        " · ".join(part for part in (place.code or place.pcode, contexts[place.pk]) if part)
        for place in places
    ]


FINDABLES = [
    Findable(
        PlaceViewSet,
        _("Places"),
        order=10,
        place_filter="subtree",
        describe=_where,
        ordering=("depth", "name", "pk"),  # countries before the towns named after them
    ),
]
