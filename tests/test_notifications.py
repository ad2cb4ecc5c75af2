"""Notifications: who is told what, when (after the commit, re-checked at delivery), by which
channel (per preference), and the inbox, its pages, menu badge and API."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import RoleAssignment
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import ActionItemFactory, BodyFactory
from bridgework.bodies.models import ActionItem
from bridgework.bodies.notifications import ACTION_ASSIGNED, ACTION_OVERDUE
from bridgework.notifications.actions import notify
from bridgework.notifications.delivery import daily_digest
from bridgework.notifications.kinds import kinds
from bridgework.notifications.models import (
    EmailDelivery,
    EmailMode,
    Notification,
    NotificationPreference,
)
from bridgework.notifications.testing import immediate_tasks


@pytest.fixture
def item(tree):
    """An action item in the city: the city's and the country's coordinators see it, the
    sibling city's does not."""
    return ActionItemFactory(
        raised_by=BodyFactory(place=tree.city),
        owner=OrganisationFactory(place=tree.city),
        title="Map the halls",
    )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run ``fn`` as an action would, then commit: the delivery and email tasks run at once."""

    def run(fn, *args, **kwargs):
        with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
            fn(*args, **kwargs)

    return run


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def inbox_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


def note_about(record, user, subject="Something happened", **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=ACTION_ASSIGNED,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        subject=subject,
        body=f"{subject}, in detail.",
        url=record.get_absolute_url(),
        **fields,
    )


# --- the interface ---------------------------------------------------------------------------


def test_every_module_kind_is_found():
    found = kinds()
    assert {ACTION_ASSIGNED, ACTION_OVERDUE} <= set(found)
    assert all(kind.default_email in EmailMode.values for kind in found.values())


def test_an_unknown_kind_or_a_context_that_cannot_travel_fails_at_once(item):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify("bodies.no_such_kind", record=item, recipients=[])
    with pytest.raises(TypeError):
        notify(ACTION_ASSIGNED, record=item, recipients=[], context={"when": object()})


def test_recipients_in_scope_get_a_row_and_an_email_in_their_language(tree, item, deliver):
    tree.ancestor.preferred_language = "fr"
    tree.ancestor.save()
    deliver(notify, ACTION_ASSIGNED, record=item, recipients=[tree.in_scope, tree.ancestor])
    [mine] = inbox_of(tree.in_scope)
    assert mine.subject == "[Bridgework] Action assigned: Map the halls"
    assert mine.url == item.get_absolute_url() and mine.read_at is None
    [theirs] = inbox_of(tree.ancestor)
    assert theirs.subject.startswith("[Bridgework] Action attribuée") and "Map the halls" in (
        theirs.subject
    )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {tree.in_scope.email, tree.ancestor.email}
    assert "Action attribuée" in by_address[tree.ancestor.email].subject
    assert "http://" in by_address[tree.in_scope.email].body  # an absolute link to the item
    # Queues, not edits: the audit log holds neither the texts nor the addresses.
    assert not LogEntry.objects.get_for_model(Notification).exists()
    assert not LogEntry.objects.get_for_model(EmailDelivery).exists()


def test_the_actor_is_never_notified_of_their_own_action(tree, item, deliver):
    actor = tree.in_scope
    deliver(
        notify,
        ACTION_ASSIGNED,
        record=item,
        recipients=[actor, tree.ancestor],
        addresses=[actor.email.upper(), "guest@example.test"],
        actor=actor,
    )
    assert inbox_of(actor) == []
    assert len(inbox_of(tree.ancestor)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [tree.ancestor.email, "guest@example.test"]
    )


def test_a_rolled_back_transaction_notifies_nobody(tree, item, django_capture_on_commit_callbacks):
    with (
        immediate_tasks(),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(ACTION_ASSIGNED, record=item, recipients=[tree.in_scope])
        raise RuntimeError("the action failed")
    assert callbacks == [] and mail.outbox == [] and inbox_of(tree.in_scope) == []


@pytest.mark.django_db(transaction=True)
def test_the_delivery_is_queued_only_when_the_transaction_commits(tree, item):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(ACTION_ASSIGNED, record=item, recipients=[tree.in_scope])
        raise RuntimeError("rolled back")
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        notify(ACTION_ASSIGNED, record=item, recipients=[tree.in_scope])
        assert not DBTaskResult.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "bridgework.notifications.delivery.deliver_notification"
    kind, label, pk, recipients, addresses, actor, context = queued.args_kwargs["args"]
    assert (kind, label, pk, recipients, addresses, actor) == (
        ACTION_ASSIGNED,
        "bodies.actionitem",
        item.pk,
        [tree.in_scope.pk],
        [],
        None,
    )


def test_scope_is_rechecked_at_delivery(tree, item, django_capture_on_commit_callbacks):
    """Someone who loses their role between notify() and delivery gets nothing; so do a
    disabled account and someone who never could see the record."""
    disabled = UserFactory(label="disabled")
    RoleAssignmentFactory(user=disabled, role="national_coordinator", place=tree.city)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            ACTION_ASSIGNED,
            record=item,
            recipients=[tree.in_scope, tree.ancestor, tree.sibling_user, disabled],
        )
    RoleAssignment.objects.filter(user=tree.ancestor).delete()
    disabled.is_active = False
    disabled.save()
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert [n.recipient for n in Notification.objects.all()] == [tree.in_scope]
    assert [m.to for m in mail.outbox] == [[tree.in_scope.email]]


def test_nothing_is_delivered_about_a_record_deleted_before_delivery(
    tree, item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(ACTION_ASSIGNED, record=item, recipients=[tree.in_scope], addresses=["a@x.test"])
    ActionItem.objects.filter(pk=item.pk).delete()
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert not Notification.objects.exists() and mail.outbox == []


def test_two_notices_with_equal_contexts_are_both_delivered(tree, item, deliver):
    """Each notify() is its own notice (only a retried delivery of one is deduplicated)."""
    for _ in range(2):
        deliver(notify, ACTION_ASSIGNED, record=item, addresses=["guest@example.test"])
    assert [m.to for m in mail.outbox] == [["guest@example.test"]] * 2


# --- preferences: immediate, digest, off -------------------------------------------------------


def prefer(user, kind: str, mode: str) -> None:
    NotificationPreference.objects.create(user=user, kind=kind, email=mode)


def test_digest_sends_no_immediate_mail_then_one_digest_with_both(tree, item, deliver):
    user = tree.in_scope
    prefer(user, ACTION_ASSIGNED, EmailMode.DIGEST)
    other = ActionItemFactory(
        raised_by=item.raised_by, owner=item.owner_organisation, title="Call the imam"
    )
    deliver(notify, ACTION_ASSIGNED, record=item, recipients=[user])
    deliver(notify, ACTION_ASSIGNED, record=other, recipients=[user])
    assert len(inbox_of(user)) == 2 and mail.outbox == []

    deliver(daily_digest.call)
    deliver(daily_digest.call)  # the same day: nothing more
    [digest] = mail.outbox
    assert digest.to == [user.email] and "2 notifications" in digest.subject
    assert "Map the halls" in digest.body and "Call the imam" in digest.body
    assert all(n.digested_at is not None for n in inbox_of(user))
    assert EmailDelivery.objects.filter(idempotency_key__startswith="digest:").count() == 1


def test_off_keeps_the_inbox_but_sends_no_mail_at_all(tree, item, deliver):
    prefer(tree.in_scope, ACTION_ASSIGNED, EmailMode.OFF)
    deliver(notify, ACTION_ASSIGNED, record=item, recipients=[tree.in_scope])
    deliver(daily_digest.call)
    assert len(inbox_of(tree.in_scope)) == 1 and mail.outbox == []


def test_the_digest_withholds_what_the_reader_can_no_longer_see(tree, item, deliver):
    user = tree.ancestor
    prefer(user, ACTION_ASSIGNED, EmailMode.DIGEST)
    deliver(notify, ACTION_ASSIGNED, record=item, recipients=[user])
    RoleAssignment.objects.filter(user=user).delete()
    deliver(daily_digest.call)
    assert mail.outbox == []
    assert inbox_of(user)[0].digested_at is not None  # not offered again tomorrow


def test_read_notifications_stay_out_of_the_digest(tree, item, deliver):
    user = tree.in_scope
    prefer(user, ACTION_ASSIGNED, EmailMode.DIGEST)
    deliver(notify, ACTION_ASSIGNED, record=item, recipients=[user])
    Notification.objects.update(read_at=timezone.now())
    deliver(daily_digest.call)
    assert mail.outbox == []


# --- pages -------------------------------------------------------------------------------------


def test_inbox_lists_my_notifications_newest_first_with_unread_marked(tree, item, client):
    old = note_about(
        item, tree.in_scope, "Older", created_at=timezone.now() - datetime.timedelta(1)
    )
    new = note_about(item, tree.in_scope, "Newer", read_at=timezone.now())
    note_about(item, tree.ancestor, "Not mine")
    client.force_login(tree.in_scope)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"].items] == [new.pk, old.pk]
    page = response.content.decode()
    assert "Not mine" not in page
    assert page.index("Newer") < page.index("Older")
    assert page.count('class="badge">Unread') == 1  # only the older one is unread
    assert f'href="{item.get_absolute_url()}"' in page
    assert '<a href="/notifications/" aria-current="page">' in page


def test_inbox_needs_a_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_record_i_can_no_longer_see_is_shown_without_its_text(tree, item, client):
    note_about(item, tree.sibling_user, "Secret title")
    client.force_login(tree.sibling_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Secret title" not in page and item.get_absolute_url() not in page
    assert "About a record you can no longer see" in page


def test_inbox_pages_by_keyset(tree, item, client):
    start = timezone.now()
    for n in range(55):
        note_about(item, tree.in_scope, f"Note {n}", created_at=start + datetime.timedelta(n))
    client.force_login(tree.in_scope)
    first = client.get(reverse("notifications:inbox"))
    page = first.context["page"]
    assert len(page.items) == 50 and page.items[0].subject == "Note 54" and page.has_next
    second = client.get(reverse("notifications:inbox"), {"after": page.next_cursor})
    assert [n.subject for n in second.context["page"].items] == [
        f"Note {n}" for n in range(4, -1, -1)
    ]
    assert client.get(reverse("notifications:inbox"), {"after": "garbage"}).status_code == 404


def test_inbox_queries_do_not_grow_with_the_rows(tree, item, client):
    from django.db import connection

    client.force_login(tree.in_scope)
    note_about(item, tree.in_scope)
    client.get(reverse("notifications:inbox"))  # warm the caches (the reader's access)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:inbox"))
    for _ in range(30):
        note_about(item, tree.in_scope)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))
    assert len(many) == len(one)


def test_mark_read_and_mark_all_read(tree, item):
    first, second, third = (note_about(item, tree.in_scope, f"N{n}") for n in range(3))
    client = client_for(tree.in_scope)
    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # With htmx, the item comes back on its own, now read.
    partial = client.post(
        reverse("notifications:mark_read", args=[second.pk]), headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    assert partial.content.decode().startswith(f'<li id="notification-{second.pk}"')
    assert "Unread" not in partial.content.decode()
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "1 notification marked read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read_with_htmx_returns_the_list(tree, item):
    note_about(item, tree.in_scope, "Unread one")
    response = client_for(tree.in_scope).post(
        reverse("notifications:mark_all_read"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().startswith('<section id="inbox"')
    assert "Nothing unread." in response.content.decode()


def test_marking_read_needs_csrf_and_my_own_notification(tree, item):
    mine = note_about(item, tree.in_scope)
    theirs = note_about(item, tree.ancestor)
    strict = client_for(tree.in_scope, enforce_csrf_checks=True)
    assert strict.post(reverse("notifications:mark_read", args=[mine.pk])).status_code == 403
    assert strict.post(reverse("notifications:mark_all_read")).status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None
    client = client_for(tree.in_scope)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405
    client.post(reverse("notifications:mark_all_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None  # "all" is all of mine, never anyone else's


def test_a_safe_next_brings_me_back_and_an_outside_one_does_not(tree, item):
    mine = note_about(item, tree.in_scope)
    client = client_for(tree.in_scope)
    back = client.post(
        reverse("notifications:mark_read", args=[mine.pk]), {"next": "/notifications/?after=x"}
    )
    assert back["Location"] == "/notifications/?after=x"
    away = client.post(reverse("notifications:mark_all_read"), {"next": "https://evil.example/"})
    assert away["Location"] == reverse("notifications:inbox")


def test_the_menu_shows_the_unread_count(tree, item):
    client = client_for(tree.in_scope)
    assert 'class="badge count"' not in client.get(reverse("home")).content.decode()
    note_about(item, tree.in_scope)
    note_about(item, tree.in_scope)
    note_about(item, tree.in_scope, read_at=timezone.now())
    note_about(item, tree.ancestor)
    page = client.get(reverse("home")).content.decode()
    assert 'Inbox <span class="badge count">2<span class="visually-hidden"> new</span>' in page


def test_preferences_page_lists_every_kind_and_saves_choices(tree):
    client = client_for(tree.in_scope)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    html = page.content.decode()
    for kind in kinds().values():
        assert f"<legend>{kind.label}</legend>" in html
    assert 'aria-current="page">Email preferences' in html
    data = {"bodies__action_assigned": "digest", "bodies__action_overdue": "immediate"}
    for name, kind in kinds().items():
        data.setdefault(name.replace(".", "__"), kind.default_email)
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=tree.in_scope).values_list("kind", "email")
    ) == {ACTION_ASSIGNED: "digest"}  # the overdue choice is the default: no row
    entry = LogEntry.objects.get_for_model(NotificationPreference).get()
    assert entry.actor == tree.in_scope  # a choice of one's own, audited as such
    data["bodies__action_assigned"] = "immediate"
    client.post(reverse("notifications:preferences"), data)
    assert not NotificationPreference.objects.filter(user=tree.in_scope).exists()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(assigned=st.text(max_size=20), overdue=st.text(max_size=20))
def test_malformed_preferences_never_crash_or_half_save(tree, assigned, overdue):
    client = client_for(tree.in_scope)
    client.raise_request_exception = False
    NotificationPreference.objects.filter(user=tree.in_scope).delete()
    response = client.post(
        reverse("notifications:preferences"),
        {"bodies__action_assigned": assigned, "bodies__action_overdue": overdue},
    )
    valid = {assigned, overdue} <= set(EmailMode.values) and len(kinds()) == 2
    assert response.status_code == (302 if valid else 400)
    if not valid:
        assert not NotificationPreference.objects.filter(user=tree.in_scope).exists()


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_my_notifications_and_marks_one_read(tree, item):
    older = note_about(
        item, tree.in_scope, "Older", created_at=timezone.now() - datetime.timedelta(1)
    )
    newer = note_about(item, tree.in_scope, "Newer")
    theirs = note_about(item, tree.ancestor, "Theirs")
    client = client_for(tree.in_scope)
    listing = client.get(reverse("api-1.0.0:list_notifications"), {"limit": 1})
    assert listing.status_code == 200
    body = listing.json()
    assert [row["id"] for row in body["items"]] == [newer.pk]
    assert body["items"][0]["subject"] == "Newer" and body["items"][0]["visible"] is True
    following = client.get(body["next"]).json()
    assert [row["id"] for row in following["items"]] == [older.pk]

    read = client.post(reverse("api-1.0.0:read_notification", args=[newer.pk]))
    assert read.status_code == 200 and read.json()["read_at"] is not None
    newer.refresh_from_db()
    assert newer.read_at is not None
    other = client.post(reverse("api-1.0.0:read_notification", args=[theirs.pk]))
    assert other.status_code == 404 and other.json()["detail"] == "Not found."
    assert Client().get(reverse("api-1.0.0:list_notifications")).status_code == 401


def test_api_hides_the_text_of_a_record_i_can_no_longer_see(tree, item):
    note_about(item, tree.sibling_user, "Secret title")
    rows = client_for(tree.sibling_user).get(reverse("api-1.0.0:list_notifications")).json()
    assert rows["items"][0]["visible"] is False
    assert (rows["items"][0]["subject"], rows["items"][0]["body"], rows["items"][0]["url"]) == (
        None,
        None,
        None,
    )
