"""Outgoing email through the task queue: each message retried, none sent twice.

:func:`queue_email` writes one :class:`~.models.EmailDelivery` row per message (one address
each, so nobody learns the others' addresses) and enqueues :func:`send_email` after the
commit. ``send_email`` claims the row with a conditional UPDATE (pending and due → sending):
whoever loses the claim does nothing, so a task run twice, or queued twice, sends once. A mail
server error puts the row back to pending with a later ``next_attempt_at`` (1, 5, 30 and 120
minutes), and the fifth failure marks it failed. :func:`retry_emails`, run every ten minutes
by the scheduler, queues the due pending rows again, which also recovers a lost task. A row
left in *sending* (a worker died mid-send) is never retried automatically: at most once.

Before each attempt the message is checked again (:func:`.delivery.recheck`): its reader must
still be active and still see the records it names, or it is *withheld*; a digest some of
whose records went out of sight is written again without them.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from collections.abc import Iterable
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .models import DeliveryStatus, EmailDelivery, Notification

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "queue_email",
    "retry_emails",
    "send_email",
]

log = logging.getLogger("bridgework.email")

RETRY_DELAYS = tuple(
    datetime.timedelta(minutes=m) for m in (1, 5, 30, 120)
)  # after attempts 1, 2, 3, 4
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A row queued this recently is not queued again by the retry job.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
STUCK_AFTER = datetime.timedelta(hours=1)
RETRY_BATCH = 500
WITHHELD_NOTE = "withheld: the reader may no longer see what it is about"


def _one_line(text: str, limit: int) -> str:
    """A header-safe subject: no line breaks (they would be refused), at most ``limit``."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fit_key(key: str) -> str:
    """``key`` itself, or (when longer than the column) its start and a hash of all of it, so
    two long keys that differ only at the end stay different."""
    if len(key) <= 300:
        return key
    return f"{key[:235]}…{hashlib.sha256(key.encode()).hexdigest()}"


def queue_email(
    key: str,
    to: str,
    subject: str,
    body: str,
    *,
    notifications: Iterable[Notification] = (),
    record: models.Model | None = None,
) -> tuple[EmailDelivery, bool]:
    """Queue one message to one address, once per ``key``; returns the row and whether this
    call created it. The send task is enqueued after the current transaction commits (at
    once outside a transaction); a second call with the same key does nothing.

    ``notifications`` (a user's) or ``record`` (for an address without an account) is what
    the message is about: checked again before each attempt."""
    delivery, created = EmailDelivery.objects.get_or_create(
        idempotency_key=_fit_key(key),
        defaults={
            "to": to,
            "subject": _one_line(subject, 300),
            "body": body,
            "enqueued_at": timezone.now(),
            "content_type": ContentType.objects.get_for_model(record) if record else None,
            "object_id": str(record.pk) if record is not None else "",
        },
    )
    if created:
        delivery.notifications.set(list(notifications))
        transaction.on_commit(partial(_enqueue_send, delivery.pk), robust=True)
    return delivery, created


def _enqueue_send(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    if run_after is None:
        send_email.enqueue(delivery_id)
    else:
        send_email.using(run_after=run_after).enqueue(delivery_id)


def _error_text(exc: BaseException) -> str:
    """What went wrong, short: the exception's class and message (each message has one
    recipient, so the message names nobody but them)."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    text = f"{type(exc).__name__}{f' {code}' if code else ''}: {exc}"
    return _one_line(text, 300)


@task()
def send_email(delivery_id: int) -> str:
    """Send the message of row ``delivery_id`` if it is pending and due, and its reader may
    still see what it is about; returns what happened ("sent", "retry", "failed",
    "withheld" or "skipped")."""
    now = timezone.now()
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return "skipped"  # sent already, taken by another worker, not due, or gone
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    sending = EmailDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING)
    from .delivery import recheck  # delivery queues through this module: imported when run

    message = recheck(delivery)
    if message is None:
        sending.update(status=DeliveryStatus.WITHHELD, last_error=WITHHELD_NOTE)
        log.info("email %s withheld: its reader may no longer see what it is about", delivery.pk)
        return "withheld"
    subject, body = message
    if (subject, body) != (delivery.subject, delivery.body):
        sending.update(subject=_one_line(subject, 300), body=body)
    try:
        EmailMessage(_one_line(subject, 300), body, to=[delivery.to]).send()
    except OSError as exc:  # smtplib.SMTPException and socket errors are OSErrors
        error = _error_text(exc)
        if delivery.attempts >= MAX_ATTEMPTS:
            sending.update(status=DeliveryStatus.FAILED, last_error=error)
            log.error("email %s failed for good after %s attempts", delivery.pk, delivery.attempts)
            return "failed"
        retry_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
        deferred = send_email.get_backend().supports_defer
        sending.update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=retry_at,
            enqueued_at=retry_at if deferred else F("enqueued_at"),
        )
        log.warning(
            "email %s: attempt %s failed, retry at %s", delivery.pk, delivery.attempts, retry_at
        )
        if deferred:
            transaction.on_commit(partial(_enqueue_send, delivery.pk, retry_at), robust=True)
        return "retry"
    except Exception as exc:
        # Not a mail server hiccup but a message that cannot be sent (a malformed address):
        # retrying would fail the same way.
        sending.update(status=DeliveryStatus.FAILED, last_error=_error_text(exc))
        raise
    sending.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


@task()
def retry_emails() -> dict[str, int]:
    """Queue again every pending message that is due and not queued in the last ten minutes
    (a retry whose time has come, or a send task that was lost). Rows stuck in *sending* are
    only reported."""
    now = timezone.now()
    due = list(
        EmailDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - REQUEUE_AFTER))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    queued = 0
    for pk in due:
        won = (
            EmailDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - REQUEUE_AFTER))
            .update(enqueued_at=now)
        )
        if won:
            _enqueue_send(pk)
            queued += 1
    stuck = EmailDelivery.objects.filter(
        status=DeliveryStatus.SENDING, last_attempt_at__lt=now - STUCK_AFTER
    ).count()
    if stuck:
        log.warning(
            "%s email(s) stuck in 'sending' for over an hour (a worker stopped mid-send); "
            "they are not retried automatically, so nobody gets a message twice",
            stuck,
        )
    return {"queued": queued, "stuck": stuck}
