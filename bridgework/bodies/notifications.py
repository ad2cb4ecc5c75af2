"""Emails about action items: to whom, and what they say.

Called from ``transaction.on_commit`` callbacks queued by :mod:`bridgework.bodies.actions`, so
nobody is told about an assignment that was rolled back. Each recipient gets their own message:
the holders of an organisation's posts do not learn each other's addresses.
"""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.actors.models import Person

from .models import ActionItem, held_on_q

__all__ = ["owner_emails", "send_assignment_notice", "send_overdue_notice"]

log = logging.getLogger("bridgework.bodies")


def owner_emails(item: ActionItem) -> list[str]:
    """The owner person's address, or those of the people holding a current post in the owner
    organisation. Erased people are never written to."""
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
    addresses = {person.email or getattr(person.user, "email", "") for person in people}
    return sorted(address for address in addresses if address)


def _link(item: ActionItem) -> str:
    return settings.SITE_URL + item.get_absolute_url()


def _send(subject: str, body: str, recipients: list[str]) -> int:
    sent = 0
    for address in recipients:
        try:
            sent += EmailMessage(subject, body, to=[address]).send()
        except OSError:
            # A mail server hiccup must not undo a committed change; the log says who missed out.
            log.exception("could not send %r to %s", subject, address)
    return sent


def send_assignment_notice(item_id: int) -> int:
    item = _load(item_id)
    if item is None:
        return 0
    subject = _("[Bridgework] Action assigned: %(title)s") % {"title": item.title}
    body = _(
        "%(body)s has assigned an action to %(owner)s.\n\n%(title)s\n%(description)s\n\n"
        "Due: %(due)s\n\n%(link)s\n"
    ) % {
        "body": item.raised_by,
        "owner": item.owner,
        "title": item.title,
        "description": item.description,
        "due": item.due_on or _("no date set"),
        "link": _link(item),
    }
    return _send(subject, body, owner_emails(item))


def send_overdue_notice(item_id: int) -> int:
    item = _load(item_id)
    if item is None or item.is_finished:
        return 0
    subject = _("[Bridgework] Overdue action: %(title)s") % {"title": item.title}
    body = _(
        "The action %(title)s, raised by %(body)s for %(owner)s, was due on %(due)s and is "
        "not done yet.\n\nPost an update or change its status here:\n%(link)s\n"
    ) % {
        "title": item.title,
        "body": item.raised_by,
        "owner": item.owner,
        "due": item.due_on,
        "link": _link(item),
    }
    return _send(subject, body, owner_emails(item))


def _load(item_id: int) -> ActionItem | None:
    return (
        ActionItem.objects.select_related("raised_by", "owner_organisation", "owner_person")
        .filter(Q(pk=item_id))
        .first()
    )
