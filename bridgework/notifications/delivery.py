"""Delivery of notifications, in the task worker: in-app rows, immediate emails, digests.

:func:`deliver_notification` is what :func:`~.actions.notify` enqueues after the commit. It
re-checks at delivery time that each recipient may still see the record
(``access.policy.permits``): an inactive user, or one who lost the role that let them see
it, gets nothing (counted in the log as withheld). :func:`daily_digest` gathers the unread
notifications of the kinds a user chose to receive by digest, re-checks them again, and sends
one email a day.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from bridgework.access.models import User
from bridgework.access.policy import permits

from .email import queue_email
from .kinds import Message, NotificationKind, absolute_url, kinds
from .models import EmailDelivery, EmailMode, Notification
from .selectors import email_mode_of, visible_record_keys, with_email_mode

__all__ = [
    "NOTICE_KEY",
    "context_hash",
    "daily_digest",
    "deliver_notification",
    "email_text",
    "recheck",
]

log = logging.getLogger("bridgework.notifications")

# The key notify() adds to each context: one id per notify() call, so a retried delivery
# is recognised (and two separate calls with equal contexts are not mistaken for one).
NOTICE_KEY = "_notice"
DIGEST_MAX_ITEMS = 50


def context_hash(context: dict[str, Any]) -> str:
    """A stable hash of a JSON context (key order does not matter)."""
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def email_text(message: Message) -> str:
    """The email body for ``message``: its text, then its link unless the text holds it."""
    link = absolute_url(message.url) if message.url else ""
    if not link or link in message.body:
        return message.body
    return f"{message.body.rstrip()}\n\n{link}\n"


def _render(
    kind: NotificationKind, record: Any, context: dict[str, Any], language: str, reader=None
) -> Message:
    with translation.override(language):
        message = kind.render(record, context, reader)
        # Lazy strings become text in the reader's language, not the worker's.
        return Message(str(message.subject), str(message.body), str(message.url))


@task()
def deliver_notification(
    kind: str,
    model_label: str,
    record_pk: Any,
    recipient_ids: list[int],
    addresses: list[str],
    actor_id: int | None,
    context: dict[str, Any],
) -> dict[str, int]:
    """Deliver one notification: a row (and, by preference, an email) for each recipient who
    may still see the record, an email for each address. Returns the counts."""
    counts = {"delivered": 0, "emailed": 0, "withheld": 0, "addresses": 0}
    spec = kinds().get(kind)
    if spec is None:
        log.error("notification kind %s is no longer declared: nothing delivered", kind)
        return counts
    model = apps.get_model(model_label)
    record = model._default_manager.filter(pk=record_pk).first()
    if record is None:
        log.info("%s: the record %s %s is gone, nothing delivered", kind, model_label, record_pk)
        return counts
    if spec.still_applies is not None and not spec.still_applies(record, context):
        log.info("%s about %s %s no longer applies", kind, model_label, record_pk)
        return counts
    notice = str(context.get(NOTICE_KEY, ""))[:32]
    content_type = ContentType.objects.get_for_model(model)
    candidates = User.objects.filter(pk__in=recipient_ids)
    if actor_id is not None:
        candidates = candidates.exclude(pk=actor_id)
    users = list(candidates)
    modes = email_mode_of([user.pk for user in users], kind)
    for user in users:
        if not user.is_active or not permits(user, "view", record):
            counts["withheld"] += 1
            continue
        # One rendering per reader: a message names the records *this* reader may see.
        message = _render(spec, record, context, user.preferred_language, user)
        with transaction.atomic():
            notification = _store(user, notice, kind, content_type, record, message)
            counts["delivered"] += 1
            if modes[user.pk] == EmailMode.IMMEDIATE and notification.emailed_at is None:
                queue_email(
                    f"notification:{notification.pk}",
                    user.email,
                    message.subject,
                    email_text(message),
                    notifications=[notification],
                )
                Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
                counts["emailed"] += 1
    if addresses:
        message = _render(spec, record, context, settings.LANGUAGE_CODE)
        digest = context_hash(context)
        for address in addresses:
            queue_email(
                f"notification:{kind}:{model_label}:{record.pk}:{address}:{digest}",
                address,
                message.subject,
                email_text(message),
                record=record,
            )
            counts["addresses"] += 1
    if counts["withheld"]:
        log.info(
            "%s about %s %s: %s recipient(s) withheld (inactive, or can no longer see it)",
            kind,
            model_label,
            record_pk,
            counts["withheld"],
        )
    return counts


def _store(
    user: User, notice: str, kind: str, content_type: ContentType, record: Any, message: Message
) -> Notification:
    """The user's row for this notice: created once, found again by a retried delivery."""
    fields = {
        "kind": kind,
        "content_type": content_type,
        "object_id": str(record.pk),
        "subject": message.subject[:300],
        "body": message.body,
        "url": message.url[:500],
    }
    if not notice:
        return Notification.objects.create(recipient=user, **fields)
    notification, _created = Notification.objects.get_or_create(
        recipient=user, notice=notice, defaults=fields
    )
    return notification


@task()
def daily_digest(day: str | None = None) -> dict[str, int]:
    """One email per user who receives some kinds by digest: their unread notifications of
    those kinds not yet in a digest (nor emailed), each re-checked against their scope."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    pending = (
        with_email_mode(
            Notification.objects.filter(
                read_at__isnull=True, digested_at__isnull=True, emailed_at__isnull=True
            )
        )
        .filter(**{"email_mode": EmailMode.DIGEST})  # the annotation
        .select_related("recipient", "content_type")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    counts = {"sent": 0, "withheld": 0}
    for items in by_user.values():
        user = items[0].recipient
        if not user.is_active:
            continue  # left undigested: nobody is emailed on a disabled account's behalf
        visible = visible_record_keys(user, items)
        shown = [n for n in items if (n.content_type_id, n.object_id) in visible]
        counts["withheld"] += len(items) - len(shown)
        with transaction.atomic():
            created = True
            if shown:
                _delivery, created = queue_email(
                    f"digest:{user.pk}:{today.isoformat()}",
                    user.email,
                    *_digest_message(user, shown),
                    notifications=shown,
                )
            if created:
                # Withheld ones too: they are not offered again tomorrow.
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                    digested_at=timezone.now()
                )
                counts["sent"] += 1 if shown else 0
            # Not created: today's digest went out already; these wait for tomorrow's.
    return counts


def recheck(delivery: EmailDelivery) -> tuple[str, str] | None:
    """The subject and body to send now, or None to withhold the message: its notifications'
    reader is no longer active, or may no longer see any of their records (a digest keeps
    those still in sight, written again); an address's record is gone. A message about
    nothing in particular goes as it is."""
    carried = list(delivery.notifications.select_related("recipient", "content_type"))
    if carried:
        reader = carried[0].recipient
        if not reader.is_active:
            return None
        visible = visible_record_keys(reader, carried)
        shown = [n for n in carried if (n.content_type_id, n.object_id) in visible]
        if not shown:
            return None
        if len(shown) < len(carried):  # only a digest carries several
            return _digest_message(reader, shown)
        return delivery.subject, delivery.body
    if delivery.content_type is not None:
        model = delivery.content_type.model_class()
        if model is None or not model._default_manager.filter(pk=delivery.object_id).exists():
            return None
    return delivery.subject, delivery.body


def _digest_message(user: User, items: list[Notification]) -> tuple[str, str]:
    with translation.override(user.preferred_language):
        count = len(items)
        subject = ngettext(
            "[Bridgework] Your daily digest: %(count)s notification",
            "[Bridgework] Your daily digest: %(count)s notifications",
            count,
        ) % {"count": count}
        lines = [_("Here is what happened since your last digest:"), ""]
        for notification in items[:DIGEST_MAX_ITEMS]:
            lines.append(f"- {notification.subject}")
            if notification.url:
                lines.append(f"  {absolute_url(notification.url)}")
        if count > DIGEST_MAX_ITEMS:
            lines.append(
                _("…and %(more)s more in your inbox.") % {"more": count - DIGEST_MAX_ITEMS}
            )
        lines += [
            "",
            _("Your inbox: %(link)s") % {"link": absolute_url(reverse("notifications:inbox"))},
            _("Choose what you receive: %(link)s")
            % {"link": absolute_url(reverse("notifications:preferences"))},
        ]
        return subject, "\n".join(lines) + "\n"
