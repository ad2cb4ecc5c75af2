"""How people find knowledge items in the site search and on a place's page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable
from bridgework.web.viewsets import Column

from .views import KnowledgeItemViewSet

__all__ = ["FINDABLES"]

FINDABLES = [
    Findable(
        KnowledgeItemViewSet,
        _("Knowledge items"),
        order=76,
        place_filter="place",
        in_place=_("Practice and evidence from %(place)s"),
        summary=(
            Column("get_kind_display", _("Kind")),
            Column("place.name", _("From")),
            Column("get_status_display", _("Status")),
        ),
    ),
]
