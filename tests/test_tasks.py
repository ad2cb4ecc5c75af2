"""Background work: the task backends end to end, email retried and never sent twice, the
scheduler's claim, retention."""

from __future__ import annotations

import datetime
import uuid
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.bodies.actions import do_create_action_item
from bridgework.bodies.factories import BodyFactory
from bridgework.bodies.models import ActionItem
from bridgework.core import periodic
from bridgework.core.models import PeriodicRun
from bridgework.core.periodic import PeriodicJob, claim, jobs, run_due
from bridgework.notifications.email import MAX_ATTEMPTS, queue_email, retry_emails, send_email
from bridgework.notifications.models import DeliveryStatus, EmailDelivery, Notification
from bridgework.notifications.retention import retention
from bridgework.notifications.testing import (
    immediate_tasks,
    preserve_signals_and_logging,
    run_db_worker,
)

SEND_EMAIL = "bridgework.notifications.email.send_email"


def tasks_named(path: str):
    return DBTaskResult.objects.filter(task_path=path)


# --- the database backend, end to end ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_backend_end_to_end():
    """Enqueued only when the transaction commits, stored in the task table, run by the worker
    on the configured database (SQLite or PostgreSQL), delivered once."""
    with transaction.atomic():
        delivery, created = queue_email("test:one", "ana@example.test", "Hello", "Body text")
        assert created
        assert not tasks_named(SEND_EMAIL).exists()  # not before the commit
    queued = tasks_named(SEND_EMAIL).get()
    assert queued.status == "READY" and queued.args_kwargs["args"] == [delivery.pk]
    assert mail.outbox == []

    run_db_worker()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == "sent"
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["ana@example.test"], "Hello", "Body text")
    ]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_assignment_reaches_its_owner_through_the_worker(tree):
    """notify() → deliver_notification → send_email: two tasks, both run by one worker."""
    org = OrganisationFactory(place=tree.city, name="Riverton Youth Council")
    owner = UserFactory(label="owner")
    RoleAssignmentFactory(user=owner, role="partner", place=tree.city)
    PersonFactory(place=tree.city, user=owner, post_in=org)
    PersonFactory(place=tree.city, email="no-account@example.test", post_in=org)
    body = BodyFactory(place=tree.country)
    item = ActionItem(raised_by=body, owner_organisation=org, title="Count the halls", tlp=1)
    do_create_action_item(item, acting_user=tree.ancestor)
    assert DBTaskResult.objects.count() == 1  # the delivery, after the commit
    assert mail.outbox == []

    run_db_worker()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, "no-account@example.test"])
    assert all("Count the halls" in m.subject for m in mail.outbox)
    assert Notification.objects.get().recipient == owner
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert DBTaskResult.objects.count() == 3  # one delivery, two emails


# --- the RQ backend, against the local Redis ---------------------------------------------------


def _redis_or_skip():
    django_rq = pytest.importorskip("django_rq", reason="the rq extra is not installed")
    pytest.importorskip("django_tasks_rq", reason="the rq extra is not installed")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis answers at {settings.REDIS_URL}")
    return django_rq


@pytest.mark.django_db(transaction=True)
def test_rq_backend_end_to_end():
    """Enqueued into Redis, run by a burst worker, sent once even when run twice."""
    django_rq = _redis_or_skip()
    from django_rq.workers import get_worker

    # A queue of this test's own: another test run sharing the Redis cannot take its jobs.
    queue_name = f"bridgework-test-{uuid.uuid4().hex[:12]}"
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}},
        # "default" only names the connection results are read through; no job goes there.
        "RQ_QUEUES": {name: {"URL": settings.REDIS_URL} for name in (queue_name, "default")},
    }
    delivery = EmailDelivery.objects.create(
        idempotency_key="test:rq", to="rq@example.test", subject="Via Redis", body="Hi"
    )
    with override_settings(**rq_settings):
        queue = django_rq.get_queue(queue_name)
        try:
            first = send_email.using(queue_name=queue_name).enqueue(delivery.pk)
            second = send_email.using(queue_name=queue_name).enqueue(delivery.pk)
            assert queue.count == 2 and mail.outbox == []
            worker = get_worker(
                queue_name, worker_class="rq.worker.SimpleWorker", job_class="django_tasks_rq.Job"
            )
            with preserve_signals_and_logging("rq.worker"):
                worker.work(burst=True)
            assert queue.count == 0
            assert [m.to for m in mail.outbox] == [["rq@example.test"]]
            results = {send_email.get_result(r.id).return_value for r in (first, second)}
            assert results == {"sent", "skipped"}
        finally:
            for registry in (queue.finished_job_registry, queue.failed_job_registry):
                for job_id in registry.get_job_ids():
                    registry.remove(job_id, delete_job=True)
                queue.connection.delete(registry.key)
            queue.delete(delete_jobs=True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


# --- email: idempotent, retried, at most once --------------------------------------------------


def test_queue_email_twice_with_one_key_sends_once(db, django_capture_on_commit_callbacks):
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        _row, created = queue_email("notification:1", "bo@example.test", "Once", "Only once")
        _again, created_again = queue_email("notification:1", "bo@example.test", "Once", "x")
    assert (created, created_again) == (True, False)
    assert EmailDelivery.objects.count() == 1
    assert [m.body for m in mail.outbox] == ["Only once"]


def test_send_email_run_twice_sends_once(db):
    delivery, _created = queue_email("k:twice", "cy@example.test", "Twice?", "No")
    assert send_email.call(delivery.pk) == "sent"
    assert send_email.call(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_subject_with_line_breaks_is_flattened(db):
    delivery, _created = queue_email("k:lines", "di@example.test", "Two\nlines", "Body")
    assert delivery.subject == "Two lines"
    assert send_email.call(delivery.pk) == "sent"


class FlakyBackend(LocmemBackend):
    """A mail server that refuses the next ``failures`` messages."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail():
    with override_settings(EMAIL_BACKEND="tests.test_tasks.FlakyBackend"):
        yield FlakyBackend
    FlakyBackend.failures = 0


def make_due(delivery: EmailDelivery) -> None:
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_mail_server_error_is_retried_later_then_sent(
    db, flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1
    delivery, _created = queue_email("k:retry", "ed@example.test", "Retry", "Body")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_email.call(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at >= before + datetime.timedelta(minutes=1)
    assert "ConnectionRefusedError" in delivery.last_error and mail.outbox == []
    # The database backend can defer: the retry is queued for its time.
    retry = tasks_named(SEND_EMAIL).get()
    assert retry.run_after == delivery.next_attempt_at
    assert send_email.call(delivery.pk) == "skipped"  # not due yet
    make_due(delivery)
    assert send_email.call(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert delivery.last_error == "" and len(mail.outbox) == 1


def test_the_backoff_grows_and_the_fifth_failure_is_final(db, flaky_mail):
    flaky_mail.failures = 99
    delivery, _created = queue_email("k:fail", "fi@example.test", "Fail", "Body")
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = timezone.now()
        outcome = send_email.call(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert outcome == "retry" and delivery.status == DeliveryStatus.PENDING
            waits.append(round((delivery.next_attempt_at - started).total_seconds() / 60))
            make_due(delivery)
    assert waits == [1, 5, 30, 120]
    assert outcome == "failed" and delivery.status == DeliveryStatus.FAILED
    make_due(delivery)
    assert send_email.call(delivery.pk) == "skipped" and mail.outbox == []


def test_retry_job_recovers_a_lost_task_but_never_resends_a_row_in_sending(
    db, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    lost = EmailDelivery.objects.create(
        idempotency_key="k:lost",
        to="lo@example.test",
        subject="Lost",
        body="b",
        enqueued_at=long_ago,
    )
    just_queued = EmailDelivery.objects.create(
        idempotency_key="k:fresh",
        to="fr@example.test",
        subject="Fresh",
        body="b",
        enqueued_at=timezone.now(),
    )
    stuck = EmailDelivery.objects.create(
        idempotency_key="k:stuck",
        to="st@example.test",
        subject="Stuck",
        body="b",
        status=DeliveryStatus.SENDING,
        attempts=1,
        last_attempt_at=long_ago,
        enqueued_at=long_ago,
    )
    with immediate_tasks():
        assert retry_emails.call() == {"queued": 1, "stuck": 1}
        assert retry_emails.call() == {"queued": 0, "stuck": 1}  # not queued again at once
    assert [m.subject for m in mail.outbox] == ["Lost"]
    for row, status in ((lost, "sent"), (just_queued, "pending"), (stuck, "sending")):
        row.refresh_from_db()
        assert row.status == status


# --- the scheduler -------------------------------------------------------------------------------


def scheduler_once(at: datetime.datetime) -> str:
    out = StringIO()
    with mock.patch.object(periodic, "_now", return_value=at):
        call_command("scheduler", "--once", stdout=out)
    return out.getvalue()


def enqueued(name: str) -> int:
    job = next(job for job in jobs() if job.name == name)
    return tasks_named(job.task.module_path).count()


def test_every_module_job_is_found():
    assert {job.name: job.every for job in jobs()} == {
        "notifications.daily_digest": datetime.timedelta(days=1),
        "notifications.retry_emails": datetime.timedelta(minutes=10),
        "notifications.retention": datetime.timedelta(days=1),
        "bodies.overdue_actions": datetime.timedelta(days=1),
        "response.retention": datetime.timedelta(days=1),
        "participation.archive": datetime.timedelta(days=1),
        "funding.overdue_reports": datetime.timedelta(days=1),
    }


def test_two_scheduler_runs_in_one_period_enqueue_a_job_once(db):
    at = timezone.make_aware(datetime.datetime(2030, 3, 4, 12, 1))
    assert "bodies.overdue_actions" in scheduler_once(at)
    scheduler_once(at + datetime.timedelta(minutes=1))
    assert enqueued("bodies.overdue_actions") == 1
    assert enqueued("notifications.retry_emails") == 1
    # Ten minutes on: the next period of the ten-minute job, still the same day.
    scheduler_once(at + datetime.timedelta(minutes=10))
    assert enqueued("notifications.retry_emails") == 2
    assert enqueued("bodies.overdue_actions") == 1
    # A day on: every daily job again.
    output = scheduler_once(at + datetime.timedelta(days=1))
    assert enqueued("bodies.overdue_actions") == 2 and enqueued("notifications.retention") == 2
    assert "notifications.daily_digest" in output


def test_only_one_claim_wins_a_period(db):
    job = PeriodicJob("test.job", send_email, datetime.timedelta(hours=1))
    now = timezone.now()
    assert [claim(job, now), claim(job, now)] == [True, False]
    assert claim(job, now + datetime.timedelta(hours=1)) is True
    assert PeriodicRun.objects.get(name="test.job").last_started_at == now + datetime.timedelta(
        hours=1
    )


def test_a_failed_enqueue_releases_the_claim(db, monkeypatch):
    class Unreachable:
        def enqueue(self):
            raise ConnectionError("queue is down")

    job = PeriodicJob("test.down", Unreachable(), datetime.timedelta(hours=1))
    monkeypatch.setattr(periodic, "jobs", lambda: [job])
    assert run_due() == []
    assert not PeriodicRun.objects.filter(name="test.down", last_started_at__isnull=False).exists()
    ok = PeriodicJob("test.down", retry_emails, datetime.timedelta(hours=1))
    monkeypatch.setattr(periodic, "jobs", lambda: [ok])
    assert run_due() == ["test.down"]


def test_a_job_declares_a_sensible_period():
    with pytest.raises(ValueError):
        PeriodicJob("bad", retry_emails, datetime.timedelta(0))
    with pytest.raises(ValueError):
        PeriodicJob("bad", retry_emails, datetime.timedelta(hours=1), datetime.timedelta(hours=2))


def test_daily_jobs_fall_at_their_offset_in_the_site_time_zone():
    job = PeriodicJob(
        "test.daily", retry_emails, datetime.timedelta(days=1), datetime.timedelta(hours=6)
    )
    at = timezone.make_aware(datetime.datetime(2030, 3, 4, 5, 59))
    assert timezone.localtime(periodic.period_start(job, at)).hour == 6
    assert periodic.period_start(job, at).date() == datetime.date(2030, 3, 3)
    later = at + datetime.timedelta(minutes=2)
    assert periodic.period_start(job, later).date() == datetime.date(2030, 3, 4)


# --- retention ---------------------------------------------------------------------------------


def test_retention_deletes_only_what_is_past_its_period(tree):
    from django.contrib.contenttypes.models import ContentType

    now = timezone.now()
    old = now - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    kind = ContentType.objects.get_for_model(ActionItem)

    def note(created_at, read_at):
        return Notification.objects.create(
            recipient=tree.in_scope,
            kind="bodies.action_assigned",
            content_type=kind,
            object_id="1",
            subject="s",
            created_at=created_at,
            read_at=read_at,
        )

    old_read, old_unread, recent_read = note(old, old), note(old, None), note(now, now)

    def delivery(key, status, age_days):
        return EmailDelivery.objects.create(
            idempotency_key=key,
            to="r@example.test",
            subject="s",
            body="b",
            status=status,
            created_at=now - datetime.timedelta(days=age_days),
        )

    old_sent = delivery("a", DeliveryStatus.SENT, 91)
    old_failed = delivery("b", DeliveryStatus.FAILED, 91)
    old_pending = delivery("c", DeliveryStatus.PENDING, 91)
    recent_sent = delivery("d", DeliveryStatus.SENT, 10)
    old_withheld = delivery("e", DeliveryStatus.WITHHELD, 91)
    old_withheld.notifications.set([old_read])  # the links go too, and are not counted
    old_result = send_email.enqueue(old_sent.pk).db_result
    recent_result = send_email.enqueue(old_sent.pk).db_result
    unfinished = send_email.enqueue(old_sent.pk).db_result
    DBTaskResult.objects.filter(pk=old_result.pk).update(
        status="SUCCESSFUL", finished_at=now - datetime.timedelta(days=31)
    )
    DBTaskResult.objects.filter(pk=recent_result.pk).update(
        status="FAILED", finished_at=now - datetime.timedelta(days=2)
    )

    assert retention.call() == {"notifications": 1, "emails": 3, "task_results": 1}
    assert set(Notification.objects.all()) == {old_unread, recent_read}
    assert not Notification.objects.filter(pk=old_read.pk).exists()
    assert set(EmailDelivery.objects.all()) == {old_pending, recent_sent}
    assert not EmailDelivery.objects.filter(pk=old_failed.pk).exists()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        recent_result.pk,
        unfinished.pk,
    }


def test_long_keys_that_differ_only_at_the_end_stay_apart(db):
    start = "notification:" + "x" * 400
    first, _created = queue_email(start + "a", "lo@example.test", "A", "a")
    second, created = queue_email(start + "b", "lo@example.test", "B", "b")
    assert created and first.idempotency_key != second.idempotency_key
    assert max(len(first.idempotency_key), len(second.idempotency_key)) <= 300
    assert queue_email(start + "a", "lo@example.test", "A", "a")[1] is False


# --- a retried email is checked again before it is sent ------------------------------------------


@pytest.fixture
def first_attempt_fails(tree, flaky_mail, django_capture_on_commit_callbacks):
    """An immediate email about an action item to the city's coordinator, whose first attempt
    meets a mail server error: ``(item, delivery)``, the delivery pending its retry."""
    from bridgework.bodies.factories import ActionItemFactory
    from bridgework.bodies.notifications import ACTION_ASSIGNED
    from bridgework.notifications.actions import notify
    from bridgework.notifications.models import EmailMode, NotificationPreference

    NotificationPreference.objects.create(
        user=tree.in_scope, kind=ACTION_ASSIGNED, email=EmailMode.IMMEDIATE
    )
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city), title="Map the halls")
    flaky_mail.failures = 1
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        notify(ACTION_ASSIGNED, record=item, recipients=[tree.in_scope])
    delivery = EmailDelivery.objects.get(to=tree.in_scope.email)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert list(delivery.notifications.values_list("object_id", flat=True)) == [str(item.pk)]
    assert mail.outbox == []
    make_due(delivery)
    return item, delivery


def test_a_retry_is_sent_while_the_reader_still_sees_the_record(first_attempt_fails):
    _item, delivery = first_attempt_fails
    assert send_email.call(delivery.pk) == "sent"
    assert [m.subject for m in mail.outbox] == [delivery.subject]


def test_a_retry_about_a_record_now_out_of_sight_is_withheld(first_attempt_fails):
    from bridgework.core.tlp import TLP

    item, delivery = first_attempt_fails
    ActionItem.objects.filter(pk=item.pk).update(tlp=TLP.RED)  # relabelled meanwhile
    assert send_email.call(delivery.pk) == "withheld"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.WITHHELD and mail.outbox == []
    make_due(delivery)
    assert send_email.call(delivery.pk) == "skipped"  # never tried again
    assert retry_emails.call()["queued"] == 0


def test_a_retry_to_a_disabled_account_is_withheld(tree, first_attempt_fails):
    _item, delivery = first_attempt_fails
    tree.in_scope.is_active = False
    tree.in_scope.save()
    assert send_email.call(delivery.pk) == "withheld" and mail.outbox == []


def test_a_retried_digest_leaves_out_what_went_out_of_sight(
    tree, flaky_mail, django_capture_on_commit_callbacks
):
    from bridgework.bodies.factories import ActionItemFactory
    from bridgework.bodies.notifications import ACTION_ASSIGNED
    from bridgework.core.tlp import TLP
    from bridgework.notifications.actions import notify
    from bridgework.notifications.delivery import daily_digest
    from bridgework.notifications.models import EmailMode, NotificationPreference

    user = tree.in_scope
    NotificationPreference.objects.create(user=user, kind=ACTION_ASSIGNED, email=EmailMode.DIGEST)
    body = BodyFactory(place=tree.city)
    kept = ActionItemFactory(raised_by=body, title="Map the halls")
    hidden = ActionItemFactory(raised_by=body, title="Quietly watch the market")
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        notify(ACTION_ASSIGNED, record=kept, recipients=[user])
        notify(ACTION_ASSIGNED, record=hidden, recipients=[user])
    flaky_mail.failures = 1
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        daily_digest.call()
    delivery = EmailDelivery.objects.get(idempotency_key__startswith="digest:")
    assert "Quietly" in delivery.body and mail.outbox == []
    ActionItem.objects.filter(pk=hidden.pk).update(tlp=TLP.RED)
    make_due(delivery)
    assert send_email.call(delivery.pk) == "sent"
    [digest] = mail.outbox
    assert "1 notification" in digest.subject and "Map the halls" in digest.body
    assert "Quietly" not in digest.body and "Quietly" not in digest.subject
    delivery.refresh_from_db()
    assert "Quietly" not in delivery.body  # the row holds what was sent


def test_a_retry_to_an_address_about_a_deleted_record_is_withheld(
    tree, flaky_mail, django_capture_on_commit_callbacks
):
    from bridgework.bodies.factories import ActionItemFactory
    from bridgework.bodies.notifications import ACTION_ASSIGNED
    from bridgework.notifications.actions import notify

    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city))
    flaky_mail.failures = 1
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        notify(ACTION_ASSIGNED, record=item, addresses=["no-account@example.test"])
    delivery = EmailDelivery.objects.get(to="no-account@example.test")
    assert delivery.object_id == str(item.pk)
    ActionItem.objects.filter(pk=item.pk).delete()
    make_due(delivery)
    assert send_email.call(delivery.pk) == "withheld" and mail.outbox == []
