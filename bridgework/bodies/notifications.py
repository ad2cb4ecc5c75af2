"""What the bodies module tells people about action items, and whom.

``KINDS`` are delivered by :mod:`bridgework.notifications` (in-app, and by email as each
reader chose); :func:`owner_audience` names who owes an item: the users linked to its owner
person or to the people holding a current post in its owner organisation, and the addresses
of those people who have no account. Erased people are never written to.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import User
from bridgework.access.policy import named_for
from bridgework.actors.models import Person
from bridgework.notifications.kinds import Message, NotificationKind

from .models import ActionItem, held_on_q

__all__ = [
    "ACTION_ASSIGNED",
    "ACTION_MOVED",
    "ACTION_OVERDUE",
    "KINDS",
    "owner_audience",
    "step_audience",
]

ACTION_ASSIGNED = "bodies.action_assigned"
ACTION_OVERDUE = "bodies.action_overdue"
ACTION_MOVED = "bodies.action_moved"


def owner_audience(item: ActionItem) -> tuple[list[User], list[str]]:
    """Who hears about ``item``: (users, addresses of people without an account)."""
    if item.owner_person_id:
        people = Person.objects.filter(pk=item.owner_person_id)
    else:
        today = timezone.localdate()
        # Exactly one owner (action_exactly_one_owner): without a person, an organisation.
        organisation_id = cast(int, item.owner_organisation_id)
        people = Person.objects.filter(
            held_on_q(today, "posts__"), posts__organisation_id=organisation_id
        )
    people = people.filter(erased_at__isnull=True).select_related("user").distinct()
    users: dict[int, User] = {}
    addresses: set[str] = set()
    for person in people:
        if person.user_id is not None:
            users[person.user_id] = cast(User, person.user)
        elif person.email:
            addresses.add(person.email)
    return list(users.values()), sorted(addresses)


def step_audience(record: Model) -> list[User]:
    """Who hears that an item took a workflow step: those who owe it, and whoever raised it
    on the platform (the author of its "created" event). The one who took the step is left
    out by ``notify`` itself."""
    from bridgework.activity.models import Event

    item = _item(record)
    users, _addresses = owner_audience(item)
    created = Event.objects.about(item).filter(verb="created").select_related("actor").first()
    if created is not None and created.actor is not None:
        users.append(cast(User, created.actor))
    return list({user.pk: user for user in users}.values())


def render_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    from .workflows import ACTION_ITEM

    item = _item(record)
    before = ACTION_ITEM.state_label(str(context.get("from", "")))
    after = ACTION_ITEM.state_label(str(context.get("to", item.status)))
    subject = _("[Bridgework] Action %(state)s: %(title)s") % {
        "state": after.lower(),
        "title": item.title,
    }
    body = _(
        "The action %(title)s, raised by %(body)s for %(owner)s, moved from %(before)s to "
        "%(after)s.\n\n%(link)s\n"
    ) % {
        "title": item.title,
        "body": named_for(reader, item.raised_by),
        "owner": named_for(reader, item.owner),
        "before": before,
        "after": after,
        "link": _link(item),
    }
    return Message(subject, body, item.get_absolute_url())


def _link(item: ActionItem) -> str:
    return settings.SITE_URL + item.get_absolute_url()


def _item(record: Model) -> ActionItem:
    return cast(ActionItem, record)


def render_assigned(record: Model, context: dict[str, Any], reader=None) -> Message:
    item = _item(record)
    subject = _("[Bridgework] Action assigned: %(title)s") % {"title": item.title}
    body = _(
        "%(body)s has assigned an action to %(owner)s.\n\n%(title)s\n%(description)s\n\n"
        "Due: %(due)s\n\n%(link)s\n"
    ) % {
        "body": named_for(reader, item.raised_by),
        "owner": named_for(reader, item.owner),
        "title": item.title,
        "description": item.description,
        "due": item.due_on or _("no date set"),
        "link": _link(item),
    }
    return Message(subject, body, item.get_absolute_url())


def render_overdue(record: Model, context: dict[str, Any], reader=None) -> Message:
    item = _item(record)
    subject = _("[Bridgework] Overdue action: %(title)s") % {"title": item.title}
    body = _(
        "The action %(title)s, raised by %(body)s for %(owner)s, was due on %(due)s and is "
        "not done yet.\n\nPost an update or change its status here:\n%(link)s\n"
    ) % {
        "title": item.title,
        "body": named_for(reader, item.raised_by),
        "owner": named_for(reader, item.owner),
        "due": item.due_on,
        "link": _link(item),
    }
    return Message(subject, body, item.get_absolute_url())


def _still_open(record: Model, context: dict[str, Any]) -> bool:
    return not _item(record).is_finished


KINDS = [
    NotificationKind(
        ACTION_ASSIGNED,
        gettext_lazy("An action is assigned to you or your organisation"),
        render_assigned,
    ),
    NotificationKind(
        ACTION_MOVED,
        gettext_lazy("An action you owe or raised is started, done, cancelled or reopened"),
        render_moved,
    ),
    NotificationKind(
        ACTION_OVERDUE,
        gettext_lazy("An action you or your organisation owe is overdue"),
        render_overdue,
        still_applies=_still_open,
    ),
]
