"""Retention: what the notification and task machinery keeps, and for how long.

Read notifications are kept ``NOTIFICATION_RETENTION_DAYS`` (365 by default), sent and failed
email deliveries 90 days, finished task results of the database backend 30 days. Run daily by
the scheduler (job ``notifications.retention``).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .models import DeliveryStatus, EmailDelivery, Notification

__all__ = ["EMAIL_RETENTION", "TASK_RESULT_RETENTION", "retention"]

log = logging.getLogger("bridgework.notifications")

EMAIL_RETENTION = datetime.timedelta(days=90)
TASK_RESULT_RETENTION = datetime.timedelta(days=30)


@task()
def retention() -> dict[str, int]:
    """Delete what is past its retention period; returns the numbers deleted."""
    now = timezone.now()
    notification_days = datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    # Counted per model: the links between emails and notifications go with them.
    _total, deleted = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=now - notification_days
    ).delete()
    notifications = deleted.get(Notification._meta.label, 0)
    _total, deleted = EmailDelivery.objects.filter(
        status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.WITHHELD],
        created_at__lt=now - EMAIL_RETENTION,
    ).delete()
    emails = deleted.get(EmailDelivery._meta.label, 0)
    results, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULT_RETENTION).delete()
    )
    counts = {"notifications": notifications, "emails": emails, "task_results": results}
    log.info("retention: deleted %s", counts)
    return counts
