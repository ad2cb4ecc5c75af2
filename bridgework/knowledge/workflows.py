"""How a knowledge item is curated: written, submitted, reviewed by the hub's editors,
published or returned with their comments; superseded by its next version.

The editors' comments are the notes of the steps (kept on the item's timeline): returning an
item must say what to change."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.activity.workflows import Transition, Workflow

from .choices import ItemStatus

__all__ = ["EDITORS", "ITEM", "WORKFLOWS", "WRITERS"]

EDITORS = ("national_coordinator", "hub_officer", "network_admin")
WRITERS = ("local_coordinator", "partner", *EDITORS)


def _published(item, acting_user, note: str) -> Iterable[str]:
    """Publishing a version dates it and retires the version it revises."""
    from .actions import do_supersede_item

    item.published_on = timezone.localdate()
    previous = item.previous
    if previous is not None and previous.status == ItemStatus.PUBLISHED:
        do_supersede_item(previous, acting_user=acting_user)
    return ("published_on",)


ITEM = Workflow(
    model="knowledge.knowledgeitem",
    label=gettext_lazy("Knowledge items"),
    description=gettext_lazy(
        "An item is written and submitted; the hub's editors take it into review and publish "
        "it, or return it with what to change. A published item is superseded by its next "
        "version, or marked superseded when it no longer holds."
    ),
    states=tuple(ItemStatus.choices),
    initial=ItemStatus.DRAFT,
    transitions=(
        Transition(
            "submit",
            gettext_lazy("Submit for review"),
            (ItemStatus.DRAFT, ItemStatus.RETURNED),
            ItemStatus.SUBMITTED,
            WRITERS,
        ),
        Transition(
            "review",
            gettext_lazy("Take into review"),
            (ItemStatus.SUBMITTED,),
            ItemStatus.IN_REVIEW,
            EDITORS,
        ),
        Transition(
            "publish",
            gettext_lazy("Publish"),
            (ItemStatus.IN_REVIEW,),
            ItemStatus.PUBLISHED,
            EDITORS,
            effect=_published,
        ),
        Transition(
            "return",
            gettext_lazy("Return with comments"),
            (ItemStatus.SUBMITTED, ItemStatus.IN_REVIEW),
            ItemStatus.RETURNED,
            EDITORS,
            needs_note=True,
        ),
        Transition(
            "supersede",
            gettext_lazy("Mark superseded"),
            (ItemStatus.PUBLISHED,),
            ItemStatus.SUPERSEDED,
            EDITORS,
            needs_note=True,
        ),
    ),
    notify_kind="knowledge.item_moved",
    audience=lambda item: _audience(item),
)


def _audience(item):
    from .notifications import item_audience

    return item_audience(item)


WORKFLOWS = [ITEM]
