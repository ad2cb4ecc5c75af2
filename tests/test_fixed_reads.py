"""Fixed reads (core.fixed_reads) and the per-request reads built on them (access.requests): the
ORM's own answers, one statement each, and the sign-in rules unchanged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.access.actions import do_create_api_token, usable_api_token
from bridgework.access.factories import UserFactory
from bridgework.access.middleware import AuthenticationMiddleware
from bridgework.access.models import EPOCH_READ_WITH_USER, AccessEpoch, ApiToken, Session, User
from bridgework.access.policy import access_for, forget_access
from bridgework.access.requests import SessionStore, SignInBackend, user_by_pk
from bridgework.core.fixed_reads import FixedRead, read_records
from bridgework.funding.models import Application
from bridgework.places.models import Place

pytestmark = pytest.mark.django_db

USER_SAMPLES = ({"pk": -1}, {"pk": -2})


def field_values(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


def test_a_record_is_the_orm_s_with_every_value_converted():
    user = UserFactory(label="fixed", full_name="Ama Example")
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now(), start_steps_hidden_at=timezone.now()
    )
    read = FixedRead(User, lambda v: User.objects.filter(pk=v["pk"]), USER_SAMPLES)
    ours, theirs = read.first(pk=user.pk), User.objects.get(pk=user.pk)
    assert type(ours) is User and field_values(ours) == field_values(theirs)
    assert isinstance(ours.is_active, bool) and ours.last_login.tzinfo is not None
    assert not ours._state.adding and ours._state.db == "default"
    assert read.first(pk=user.pk + 1000) is None


def test_values_list_rows_are_the_orm_s(tree):
    read = FixedRead(
        Place,
        lambda v: Place.objects.filter(depth=v["depth"]).values_list("pk", "name", "path"),
        ({"depth": 9001}, {"depth": 9002}),
    )
    for depth in (0, 1, 2, 9):
        expected = list(Place.objects.filter(depth=depth).values_list("pk", "name", "path"))
        assert read.rows(depth=depth) == expected


def test_each_read_is_one_statement_that_the_query_counters_see():
    user = UserFactory(label="counted")
    read = FixedRead(User, lambda v: User.objects.filter(pk=v["pk"]), USER_SAMPLES)
    read.first(pk=user.pk)  # compiled on first use
    with CaptureQueriesContext(connection) as ours:
        read.first(pk=user.pk)
    with CaptureQueriesContext(connection) as theirs:
        list(User.objects.filter(pk=user.pk))
    assert len(ours) == 1 and ours[0]["sql"] == theirs[0]["sql"]


def test_a_layout_it_cannot_tell_keeps_the_orm():
    """A time on SQLite reaches the parameters as text: no statement is trusted, and the ORM
    answers; on PostgreSQL it is bound as it is. The answer is the same."""
    old = UserFactory(label="old")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=30))
    read = FixedRead(
        User,
        lambda v: User.objects.filter(date_joined__lt=v["before"]).order_by("pk"),
        (
            {"before": timezone.now() - timedelta(days=9000)},
            {"before": timezone.now() - timedelta(days=9001)},
        ),
    )
    cutoff = timezone.now() - timedelta(days=1)
    expected = list(User.objects.filter(date_joined__lt=cutoff).order_by("pk"))
    assert read.rows(before=cutoff) == expected and old in expected
    assert (read._compiled["default"] is None) == (connection.vendor == "sqlite")


def test_samples_the_orm_finds_impossible_keep_the_orm(tree):
    """Django answers a negative depth (a positive column) with no statement at all."""
    read = FixedRead(
        Place,
        lambda v: Place.objects.filter(depth=v["depth"]).values_list("pk"),
        ({"depth": -1}, {"depth": -2}),
    )
    assert read.rows(depth=1) == list(Place.objects.filter(depth=1).values_list("pk"))
    assert read._compiled["default"] is None


@pytest.mark.parametrize(
    "build",
    [
        lambda v: ApiToken.objects.select_related("user").filter(pk=v["pk"]),
        lambda v: User.objects.annotate(n=Count("assignments")).filter(pk=v["pk"]),
        lambda v: User.objects.filter(pk=v["pk"]).values("email"),
        lambda v: User.objects.filter(pk=v["pk"]).values_list("email", flat=True),
    ],
    ids=["joined", "annotated", "dicts", "flat"],
)
def test_reads_it_does_not_rebuild_are_refused(build):
    model = build(USER_SAMPLES[0]).model
    with pytest.raises(ValueError):
        FixedRead(model, build, USER_SAMPLES).rows(pk=1)


def test_the_access_epoch_is_read_as_stored():
    AccessEpoch.objects.all().delete()
    assert AccessEpoch.current() == 0
    AccessEpoch.bump()
    AccessEpoch.bump()
    assert AccessEpoch.current() == 2 == AccessEpoch.objects.get(pk=1).value


# --- the requests' own reads -------------------------------------------------------------------


def test_user_by_pk_and_the_backend_refuse_what_modelbackend_refuses():
    user = UserFactory(label="active")
    assert field_values(user_by_pk(user.pk)) == field_values(User.objects.get(pk=user.pk))
    assert user_by_pk(-5) is None
    assert SignInBackend().get_user(user.pk) == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert SignInBackend().get_user(user.pk) is None
    assert SignInBackend().get_user(-5) is None
    assert SignInBackend().get_user(str(user.pk)) is None  # inactive, whatever the key's type
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert SignInBackend().get_user(str(user.pk)) == user
    assert SignInBackend().get_user("not a number") is None


def test_a_session_loads_until_it_expires():
    store = SessionStore()
    store["note"] = "kept"
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"note": "kept"}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("no-such-session-key-0123456789").load() == {}


def test_a_signed_in_request_reads_its_session_user_and_epoch_in_one_statement(rf):
    user = UserFactory(label="signed")
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == user.pk  # named by the row
    request = rf.get("/")
    request.session = SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        AuthenticationMiddleware(lambda r: None).process_request(request)
        assert request.user == user and request.user.is_authenticated
    assert request.session[BACKEND_SESSION_KEY] == "bridgework.access.requests.SignInBackend"
    assert int(request.session[SESSION_KEY]) == user.pk
    sent = [q["sql"] for q in queries if "access_session" in q["sql"]]
    assert len(sent) == 1 and '"access_user"' in sent[0] and "access_accessepoch" in sent[0]
    assert not [q for q in queries if q["sql"].startswith('SELECT "access_user"')]
    assert getattr(request.user, EPOCH_READ_WITH_USER) == AccessEpoch.current()


def test_the_menu_s_counts_are_read_with_the_session_on_a_page_read(rf, tree):
    """The inbox's unread count comes in the session's statement for a GET; a form sent (a
    POST, which may have read some) counts anew; another user's session counts its own."""
    from django.contrib.contenttypes.models import ContentType

    from bridgework.notifications.apps import UNREAD
    from bridgework.notifications.models import Notification
    from bridgework.notifications.selectors import unread_count

    reader = tree.in_scope
    for read_at in (None, None, timezone.now()):
        Notification.objects.create(
            recipient=reader,
            kind="test",
            content_type=ContentType.objects.get_for_model(Application),
            object_id="1",
            subject="A note",
            read_at=read_at,
        )
    client = Client()
    client.force_login(reader)
    key = client.cookies["sessionid"].value

    def request_of(method):
        request = getattr(rf, method.lower())("/")
        request.session = SessionStore(key)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        return request

    page = request_of("GET")
    assert page.session.counts_read == {UNREAD: 2}
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(page) == 2
    assert len(queries) == 0
    Notification.objects.filter(recipient=reader).update(read_at=timezone.now())
    form = request_of("POST")
    form.session.counts_read = {UNREAD: 2}  # as read at its start, before it marked them
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(form) == 0
    assert len(queries) == 1
    assert request_of("GET").session.counts_read == {UNREAD: 0}


def test_sessions_are_not_audited():
    """A session's data holds the sign-in hash: saving one writes no audit entry, as
    Django's own session table did not."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    client = Client()
    client.force_login(UserFactory(label="audited"))
    store = SessionStore(client.cookies["sessionid"].value)
    store["note"] = "changed"
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
    sessions = ContentType.objects.get_for_model(Session)
    assert not LogEntry.objects.filter(content_type=sessions).exists()


def test_the_user_read_with_the_session_is_checked_as_any_other(rf):
    """An inactive user, a password changed since sign-in (the session's hash) and a session
    whose row names another user are refused or read again, as Django would."""
    user = UserFactory(label="checked")
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value

    def user_of_a_request():
        request = rf.get("/")
        request.session = SessionStore(key)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        return request.user

    assert user_of_a_request() == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not user_of_a_request().is_authenticated
    User.objects.filter(pk=user.pk).update(is_active=True)
    other = UserFactory(label="other")
    Session.objects.filter(session_key=key).update(user=other)  # the data still names user
    assert user_of_a_request() == user  # read by the key the session's data gives
    Session.objects.filter(session_key=key).update(user=user)
    user.set_password("a new password, 12+")
    user.save()
    assert not user_of_a_request().is_authenticated  # the session's hash no longer matches


def test_an_anonymous_session_names_no_user_and_deleting_a_user_ends_theirs():
    store = SessionStore()
    store["note"] = "kept"
    store.save()
    assert Session.objects.get(session_key=store.session_key).user_id is None
    loaded = SessionStore(store.session_key)
    assert loaded.load() == {"note": "kept"} and loaded.user_read is None
    user = UserFactory(label="leaving")
    client = Client()
    client.force_login(user)
    assert Session.objects.filter(user=user).count() == 1
    user.delete()
    assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_the_access_epoch_comes_with_the_user_and_keys_their_access(tree):
    """The user's statement carries the access epoch: asking for their access reads nothing
    more, and a bump after that read is seen by the next request's user."""
    AccessEpoch.bump()
    user = user_by_pk(tree.in_scope.pk)
    assert getattr(user, EPOCH_READ_WITH_USER) == AccessEpoch.current()
    access_for(user)  # the first reading of the access in this process
    again = user_by_pk(tree.in_scope.pk)
    with CaptureQueriesContext(connection) as queries:
        assert access_for(again) is not None
    assert len(queries) == 0
    AccessEpoch.bump()
    assert getattr(user_by_pk(tree.in_scope.pk), EPOCH_READ_WITH_USER) == AccessEpoch.current()
    forget_access(user)
    assert not hasattr(user, EPOCH_READ_WITH_USER)
    assert AccessEpoch.read_for(user) == AccessEpoch.current()  # read again, as it is now


def test_a_token_is_usable_only_while_its_owner_is_active_and_it_is_not_revoked(tree):
    user = tree.in_scope
    token, secret = do_create_api_token(user=user, name="script")
    found = usable_api_token(secret)
    assert found == token and found.user == user
    with CaptureQueriesContext(connection) as queries:
        assert usable_api_token(secret).user == user  # its user joined, not read again
    assert len(queries) == 2
    assert usable_api_token(secret + "x") is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert usable_api_token(secret) is None
    User.objects.filter(pk=user.pk).update(is_active=True)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert usable_api_token(secret) is None


# --- read_records: list(queryset), records built from rows -------------------------------------


def _as_loaded(records: list) -> list:
    """What a record holds once read: its type, its loaded values, its deferred fields and its
    state."""
    return [
        (
            type(r),
            {k: v for k, v in vars(r).items() if k != "_state"},
            r.get_deferred_fields(),
            r._state.adding,
            r._state.db,
        )
        for r in records
    ]


def test_read_records_are_the_orm_s_with_every_value_converted(tree):
    from bridgework.funding.factories import ApplicationFactory

    ApplicationFactory(place=tree.city)
    ApplicationFactory(place=tree.ward, amount=Decimal("1234.50"))
    users = User.objects.order_by("pk")
    applications = Application.objects.order_by("-created_at", "pk")
    for queryset in (
        users,
        users.only("email", "is_active", "last_login")[:2],
        users.defer("password").filter(is_active=True),
        applications,
        applications.only("title", "amount", "created_at", "place_path"),
        Place.objects.filter(path__startswith=tree.country.path).order_by("path")[1:3],
        Place.objects.none(),
        Place.objects.filter(pk__in=[]),
    ):
        ours = read_records(queryset)
        assert _as_loaded(ours) == _as_loaded(list(queryset)), queryset.query
        assert all(not r._state.adding and r._state.db == "default" for r in ours)


def test_read_records_leaves_to_the_orm_what_plain_records_do_not_show(tree):
    from django.db.models import Prefetch

    for queryset in (
        Place.objects.select_related("parent"),
        Place.objects.annotate(n=Count("children")),
        Place.objects.extra(select={"two": "1 + 1"}),
        Place.objects.prefetch_related(Prefetch("children")),
        Place.objects.values_list("pk"),
    ):
        with CaptureQueriesContext(connection) as queries:
            ours = read_records(queryset)
        assert ours == list(queryset) and len(queries) >= 1
    joined = read_records(Place.objects.select_related("parent").filter(pk=tree.city.pk))
    assert joined[0].parent == tree.region  # joined, not read again
