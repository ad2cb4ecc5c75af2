"""Writes of the notifications module: :func:`notify` (called by other modules' actions) and
the reader's own changes (mark read, email preferences)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.access.models import User
from bridgework.access.policy import model_label

from .delivery import NOTICE_KEY, deliver_notification
from .kinds import kinds
from .models import EmailMode, Notification, NotificationPreference

__all__ = ["do_mark_all_read", "do_mark_read", "do_set_email_preferences", "notify"]

log = logging.getLogger("bridgework.notifications")


def notify(
    kind: str,
    *,
    record: Model,
    recipients: Iterable[User] = (),
    addresses: Iterable[str] = (),
    actor: User | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """After the current transaction commits, enqueue the delivery of notification `kind`
    about `record` to each of `recipients` (users: in-app + email per their preference) and
    to `addresses` (people without an account: email only). Nothing happens if the
    transaction rolls back. The actor is never notified of their own action.

    Call it only from actions (``do_*``). An unknown kind raises ``ValueError`` at once, a
    context that is not JSON ``TypeError``: it travels through the task queue, so give ids
    and short strings. Each call is one notice: a retried delivery of it never creates a
    second row or sends a second email, while two calls are two notices."""
    if kind not in kinds():
        raise ValueError(f"unknown notification kind {kind!r}")
    if record.pk is None:
        raise ValueError("notify() needs a saved record")
    context = dict(context or {})
    json.dumps(context)  # not serialisable: a programming error, raised in the caller
    actor_id = actor.pk if actor is not None else None
    users = {user.pk: user for user in recipients if user.pk is not None and user.pk != actor_id}
    # An address already reached as a user, or the actor's own, is not written to again.
    known = {user.email.lower() for user in users.values()}
    if actor is not None:
        known.add(actor.email.lower())
    wanted: dict[str, str] = {}
    for address in addresses:
        address = address.strip()
        if address and address.lower() not in known:
            wanted.setdefault(address.lower(), address)
    if not users and not wanted:
        return
    context[NOTICE_KEY] = uuid.uuid4().hex
    pk = record.pk if isinstance(record.pk, int) else str(record.pk)
    transaction.on_commit(
        partial(
            _enqueue_delivery,
            kind,
            model_label(record),
            pk,
            sorted(users),
            sorted(wanted.values()),
            actor_id,
            context,
        ),
        robust=True,
    )


def _enqueue_delivery(*args: Any) -> None:
    deliver_notification.enqueue(*args)


@transaction.atomic
def do_mark_read(notification: Notification, *, acting_user: User) -> Notification:
    """Mark one of ``acting_user``'s own notifications read (a second time changes nothing)."""
    if notification.recipient_id != acting_user.pk:
        raise ValidationError(_("That is not your notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def do_mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notification of ``acting_user`` read; returns how many."""
    return Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def do_set_email_preferences(choices: Mapping[str, str], *, acting_user: User) -> None:
    """Store how ``acting_user`` wants each kind by email (``immediate``, ``digest`` or
    ``off``); a choice equal to the kind's default removes the row, so later changes of the
    default reach them."""
    declared = kinds()
    for name, mode in choices.items():
        if name not in declared:
            raise ValidationError({name: _("There is no such notification.")})
        if mode not in EmailMode.values:
            raise ValidationError({name: _("Choose one of the offered options.")})
    existing = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=acting_user)}
    with set_actor(acting_user):
        for name, mode in choices.items():
            row = existing.get(name)
            if mode == declared[name].default_email:
                if row is not None:
                    row.delete()
            elif row is None:
                NotificationPreference.objects.create(user=acting_user, kind=name, email=mode)
            elif row.email != mode:
                row.email = mode
                row.save(update_fields=["email"])
