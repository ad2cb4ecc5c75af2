"""How people find coordination bodies, meetings and open actions (see bridgework.web.search)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable
from bridgework.web.viewsets import Column

from .views import ActionItemViewSet, BodyViewSet, MeetingViewSet

__all__ = ["FINDABLES"]

FINDABLES = [
    Findable(
        BodyViewSet,
        _("Coordination bodies"),
        order=40,
        place_filter="subtree",
        in_place=_("Coordination bodies in %(place)s"),
        summary=(Column("get_kind_display", _("Kind")), Column("place.name", _("Place"))),
    ),
    Findable(
        MeetingViewSet,
        _("Meetings"),
        order=50,
        place_filter="subtree",
        summary=(Column("body.name", _("Body")), Column("location", _("Location"))),
    ),
    Findable(
        ActionItemViewSet,
        _("Open actions"),
        order=60,
        searched=False,
        place_filter="subtree",
        in_place=_("Open actions in %(place)s"),
        in_place_filters={"open": "on"},
        ordering=("due_on", "pk"),
        summary=(
            Column("raised_by.name", _("Raised by")),
            Column("owner", _("Owner")),
            Column("due_on", _("Due")),
            Column("get_status_display", _("Status")),
        ),
    ),
]
