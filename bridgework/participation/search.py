"""How people find residents' proposals and town halls (see bridgework.web.search)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable
from bridgework.web.viewsets import Column

from .views import ProposalViewSet, TownHallViewSet

__all__ = ["FINDABLES"]

FINDABLES = [
    Findable(
        ProposalViewSet,
        _("Residents' proposals"),
        order=76,
        place_filter="subtree",
        in_place=_("Open proposals of residents in %(place)s"),
        in_place_filters={"open": "on"},
        summary=(
            Column("place.name", _("Place")),
            Column("get_status_display", _("Status")),
        ),
    ),
    Findable(
        TownHallViewSet,
        _("Town halls"),
        order=77,
        place_filter="subtree",
        in_place=_("Town halls in %(place)s"),
        summary=(Column("starts_at", _("Starts")), Column("location", _("Where"))),
    ),
]
