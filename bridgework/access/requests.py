"""What each request reads to know who is asking: its session, its user, its API token.

Django's database sessions and ``ModelBackend`` read these through the ORM, which spends far
longer building each one-row statement than the database spends answering it. Here they are
:class:`~bridgework.core.fixed_reads.FixedRead`\\ s: the same statements, the same records,
compiled once (decision 0011). Nothing else about sessions or sign-in changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bridgework.core.fixed_reads import FixedRead
from bridgework.core.modules import ReaderCount, reader_counts
from bridgework.core.plain_reads import plain_count

from .models import EPOCH_READ_WITH_USER, AccessEpoch, Session, User

__all__ = ["SessionStore", "SignInBackend", "counted", "reading_users_with", "user_by_pk"]

_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
_SESSION_COLUMNS = ("session_key", "session_data", "expire_date")
_EPOCH = Subquery(AccessEpoch.objects.filter(pk=1).values("value"))
# The user's columns, and the access epoch beside them: the key of their cached access needs
# both on every signed-in request (``access.policy.access_for``), in one statement.
_USER_READ = FixedRead(
    User,
    lambda v: User._default_manager.filter(pk=v["pk"]).values_list(*_USER_COLUMNS, _EPOCH),
    ({"pk": -801}, {"pk": -802}),
)


def _count_of(count: ReaderCount) -> Coalesce:
    """``count`` of the session's user, as a subquery of the session's statement."""
    model = apps.get_model(count.model)
    rows = (
        model._base_manager.filter(
            **{count.reader: OuterRef("user"), f"{count.unset}__isnull": True}
        )
        .order_by()
        .values(count.reader)
        .annotate(counted=Count("pk"))
        .values("counted")
    )
    return Coalesce(Subquery(rows), 0)


@functools.cache
def _counts() -> tuple[ReaderCount, ...]:
    """The counts the installed modules' menus declare, in the session statement's order."""
    return reader_counts()


# A browser's session, the user it is signed in as (none for an anonymous one), the counts
# their menu shows and the epoch: what every signed-in page asks first, in one statement
# (decision 0018).
_SESSION_READ = FixedRead(
    Session,
    lambda v: Session.objects.filter(session_key=v["key"]).values_list(
        *_SESSION_COLUMNS,
        *(f"user__{column}" for column in _USER_COLUMNS),
        *(_count_of(count) for count in _counts()),
        _EPOCH,
    ),
    ({"key": "sample-session-key-1"}, {"key": "sample-session-key-2"}),
)
_USER_STARTS = len(_SESSION_COLUMNS)
_USER_ENDS = _USER_STARTS + len(_USER_COLUMNS)
_USER_KEY_AT = _USER_STARTS + _USER_COLUMNS.index(User._meta.pk.attname)

# The session of the request whose user is being found (``AuthenticationMiddleware``): the
# backend takes the user read with it rather than reading them again.
_READ_WITH: ContextVar[SessionStore | None] = ContextVar("bridgework_read_with", default=None)


def _user_of(row, columns: slice, epoch: Any) -> User:
    user = User.from_db(router.db_for_read(User), _USER_COLUMNS, row[columns])
    setattr(user, EPOCH_READ_WITH_USER, int(epoch or 0))
    return user


def user_by_pk(pk) -> User | None:
    """The user with this key, as ``User._default_manager.get(pk=pk)`` reads them, with the
    access epoch read beside them (``EPOCH_READ_WITH_USER``)."""
    row = _USER_READ.first(pk=pk)
    return None if row is None else _user_of(row, slice(0, -1), row[-1])


class SessionStore(db.SessionStore):
    """Django's database sessions (``SESSION_ENGINE = "bridgework.access.requests"``) in
    :class:`~bridgework.access.models.Session`, whose row names the signed-in user: reading
    the session reads that user and the access epoch too (``user_read``)."""

    user_read: User | None = None
    counts_read: dict[ReaderCount, int] = {}  # noqa: RUF012  (replaced, never changed)

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = cast(Session, super().create_model_instance(data))
        try:
            session.user_id = User._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            session.user_id = None
        return session

    def _get_session_from_db(self):
        # The expiry is compared here rather than in the statement: a time is a value the
        # database layer rewrites on its way in, which a fixed statement cannot bind.
        row = _SESSION_READ.first(key=self.session_key) if self.session_key else None
        if row is None or row[2] <= timezone.now():
            self._session_key = None
            return None
        if row[_USER_KEY_AT] is not None:
            self.user_read = _user_of(row, slice(_USER_STARTS, _USER_ENDS), row[-1])
            self.counts_read = dict(zip(_counts(), row[_USER_ENDS:-1], strict=True))
        return Session.from_db(router.db_for_read(Session), _SESSION_COLUMNS, row[:_USER_STARTS])


@contextmanager
def reading_users_with(session) -> Iterator[None]:
    """While Django finds the request's user (``auth.get_user``), the backend may take the
    user read with ``session``."""
    token = _READ_WITH.set(session)
    try:
        yield
    finally:
        _READ_WITH.reset(token)


class SignInBackend(ModelBackend):
    """Django's ``ModelBackend``, reading the signed-in user of each request by its fixed
    statement, or taking them from the request's session, which read them."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)  # the statement binds a number, as the ORM
        except ValidationError:
            return None
        session = _READ_WITH.get()
        user = getattr(session, "user_read", None)
        if user is None or user.pk != pk:
            user = user_by_pk(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def counted(request, count: ReaderCount) -> int:
    """``count`` for the request's reader (0 for no one). On a page read (GET or HEAD) it is
    the number read with their session at the start of the request; a request that may have
    changed it (a form sent) counts again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    session = getattr(request, "session", None)
    read_with_session = getattr(session, "user_read", None)
    if request.method in ("GET", "HEAD") and read_with_session is not None:
        found = session.counts_read.get(count) if read_with_session is user else None  # type: ignore[union-attr]
        if found is not None:
            return int(found)
    model = apps.get_model(count.model)
    return plain_count(model, key=count.reader, value=user.pk, unset=count.unset)
