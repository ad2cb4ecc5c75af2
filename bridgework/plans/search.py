"""How people find strategies, local plans and local needs (see bridgework.web.search)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable
from bridgework.web.viewsets import Column

from .views import LocalNeedViewSet, LocalPlanViewSet, StrategyViewSet

__all__ = ["FINDABLES"]

FINDABLES = [
    Findable(
        StrategyViewSet,
        _("National strategies"),
        order=70,
        place_filter="subtree",
        summary=(Column("get_status_display", _("Status")), Column("place.name", _("Place"))),
    ),
    Findable(
        LocalPlanViewSet,
        _("Local plans"),
        order=72,
        place_filter="subtree",
        in_place=_("Local plans in %(place)s"),
        summary=(Column("place.name", _("Place")), Column("get_status_display", _("Status"))),
        place_links=((_("Plans and needs here"), "plans:alignment", "place"),),
    ),
    Findable(
        LocalNeedViewSet,
        _("Local needs"),
        order=74,
        place_filter="subtree",
        in_place=_("Open needs raised in %(place)s"),
        in_place_filters={"open": "on"},
        summary=(
            Column("place.name", _("Raised by")),
            Column("get_category_display", _("Category")),
            Column("get_status_display", _("Status")),
        ),
    ),
]
