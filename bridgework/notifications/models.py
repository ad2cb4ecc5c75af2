"""Notifications and the outgoing email queue.

These are per-user records, not place-scoped: a :class:`Notification` is read only through
``Notification.objects.filter(recipient=user)`` (see :mod:`.selectors`), and the record it is
about is re-checked against the reader's scope at delivery, in the digest and on display.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DeliveryStatus",
    "EmailDelivery",
    "EmailMode",
    "Notification",
    "NotificationPreference",
]


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Email at once")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("No email")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    # Not sent: by the time of the attempt, its reader could no longer see what it was about.
    WITHHELD = "withheld", _("withheld")


class Notification(models.Model):
    """One thing one person was told, in their language, about one record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=100)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The notify() call this row came from: a retried delivery finds its row instead of
    # creating a second one.
    notice = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True, editable=False)
    digested_at = models.DateTimeField(_("in a digest"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "created_at"], name="notification_inbox_idx"
            ),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_page_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "notice"],
                condition=~Q(notice=""),
                name="notification_once_per_notice",
                violation_error_message=_("This person was already told about this."),
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants to hear of one kind by email (in-app is always on). Without a row,
    the kind's ``default_email`` applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=100)
    email = models.CharField(_("email"), max_length=10, choices=EmailMode.choices)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notification_pref_once",
                violation_error_message=_("You already chose how to hear about this."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.email}"


class EmailDelivery(models.Model):
    """One message to one address, sent at most once by the ``send_email`` task.

    ``idempotency_key`` names what the message is (``notification:42``, ``digest:7:2026-05-01``)
    so asking twice queues it once; ``status`` moves pending → sending → sent (or back to
    pending with a later ``next_attempt_at`` after a mail server error, failed after the last
    attempt). A row left in ``sending`` by a crashed worker is never sent again by itself."""

    idempotency_key = models.CharField(_("key"), max_length=300, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When a send task was last put on the queue for this row, so the retry job does not
    # queue the same row again and again while a worker is catching up.
    enqueued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # What the message is about, checked again before every attempt (a retry may come hours
    # later): the notifications it carries (one, or a digest's), whose recipient must still
    # be active and still see their records; or, for an address without an account, the
    # record, which must still exist.
    notifications = models.ManyToManyField(
        Notification, blank=True, related_name="emails", verbose_name=_("notifications")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="emaildelivery_due_idx"),
            models.Index(fields=["status", "created_at"], name="emaildelivery_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} → {self.to} ({self.status})"
