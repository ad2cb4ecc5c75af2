"""What the knowledge hub tells people: an item moved in curation (submitted, taken into
review, published, returned with comments, superseded). Told: the coordinators of the item's
place (its writers' side) and the editors at that place and above it."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import RoleAssignment, User
from bridgework.access.policy import named_for
from bridgework.core.tlp import TLP
from bridgework.notifications.kinds import Message, NotificationKind

from .models import KnowledgeItem

__all__ = ["ITEM_MOVED", "KINDS", "item_audience"]

ITEM_MOVED = "knowledge.item_moved"
WRITER_ROLES = ("local_coordinator",)
EDITOR_ROLES = ("national_coordinator", "hub_officer")


def item_audience(record: Model) -> list[User]:
    """Coordinators at the item's place, and editors at that place or above it; delivery
    re-checks that each may still see the item."""
    item = cast(KnowledgeItem, record)
    above = [item.place_id, *item.place.ancestors().values_list("pk", flat=True)]
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(user__is_active=True)
        .filter(
            Q(place_id=item.place_id, role__slug__in=WRITER_ROLES)
            | Q(place_id__in=above, role__slug__in=EDITOR_ROLES)
        )
        .select_related("user")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def render_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    from .workflows import ITEM

    item = cast(KnowledgeItem, record)
    state = ITEM.state_label(str(context.get("to", item.status)))
    subject = _("[Bridgework] Knowledge item %(state)s: %(title)s") % {
        "state": state.lower(),
        "title": item.title,
    }
    words = {
        "title": item.title,
        "place": named_for(reader, item.place),
        "state": state,
        "link": settings.SITE_URL + item.get_absolute_url(),
        "note": str(context.get("note") or "").strip(),
    }
    # The comments travel in the email only for an item that may go that far (GREEN or
    # CLEAR); an AMBER or RED item's stay on its page.
    if words["note"] and item.tlp <= TLP.GREEN:
        body = (
            _(
                "The knowledge item %(title)s, from %(place)s, is now: %(state)s.\n\n"
                "Comments with this step:\n%(note)s\n\n%(link)s\n"
            )
            % words
        )
    else:
        body = (
            _(
                "The knowledge item %(title)s, from %(place)s, is now: %(state)s. The editors' "
                "comments are on its page.\n\n%(link)s\n"
            )
            % words
        )
    return Message(subject, body, item.get_absolute_url())


KINDS = [
    NotificationKind(
        ITEM_MOVED,
        gettext_lazy("A knowledge item of your place, or before you as editor, moves on"),
        render_moved,
    ),
]
