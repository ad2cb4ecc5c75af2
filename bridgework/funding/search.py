"""How people find funds, applications and grants (see bridgework.web.search); a place's page
lists the applications and grants made there and below."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable
from bridgework.web.viewsets import Column

from .views import ApplicationViewSet, FundViewSet, GrantViewSet

__all__ = ["FINDABLES"]

FINDABLES = [
    Findable(
        FundViewSet,
        _("Funds"),
        order=80,
        place_filter="subtree",
        summary=(Column("owner.name", _("Owner body")), Column("place.name", _("Place"))),
    ),
    Findable(
        ApplicationViewSet,
        _("Fund applications"),
        order=82,
        place_filter="subtree",
        in_place=_("Fund applications from %(place)s"),
        summary=(
            Column("organisation.name", _("Organisation")),
            Column("get_status_display", _("Status")),
        ),
    ),
    Findable(
        GrantViewSet,
        _("Grants"),
        order=84,
        place_filter="subtree",
        in_place=_("Grants in %(place)s"),
        summary=(Column("place.name", _("Place")), Column("amount", _("Amount awarded"))),
    ),
]
