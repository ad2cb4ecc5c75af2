"""What each request reads to know who is asking: its session, its user, its API token.

Django's database sessions and ``ModelBackend`` read these through the ORM, which spends far
longer building each one-row statement than the database spends answering it. Here they are
:class:`~bridgework.core.fixed_reads.FixedRead`\\ s: the same statements, the same records,
compiled once (decision 0011). Nothing else about sessions or sign-in changes.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Subquery
from django.utils import timezone

from bridgework.core.fixed_reads import FixedRead

from .models import EPOCH_READ_WITH_USER, AccessEpoch, User

__all__ = ["SessionStore", "SignInBackend", "user_by_pk"]

_SESSION_READ = FixedRead(
    Session,
    lambda v: Session.objects.filter(session_key=v["key"]),
    ({"key": "sample-session-key-1"}, {"key": "sample-session-key-2"}),
)
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# The user's columns, and the access epoch beside them: the key of their cached access needs
# both on every signed-in request (``access.policy.access_for``), in one statement.
_USER_READ = FixedRead(
    User,
    lambda v: User._default_manager.filter(pk=v["pk"]).values_list(
        *_USER_COLUMNS, Subquery(AccessEpoch.objects.filter(pk=1).values("value"))
    ),
    ({"pk": -801}, {"pk": -802}),
)


def user_by_pk(pk) -> User | None:
    """The user with this key, as ``User._default_manager.get(pk=pk)`` reads them, with the
    access epoch read beside them (``EPOCH_READ_WITH_USER``)."""
    row = _USER_READ.first(pk=pk)
    if row is None:
        return None
    user = User.from_db(router.db_for_read(User), _USER_COLUMNS, row[:-1])
    setattr(user, EPOCH_READ_WITH_USER, int(row[-1] or 0))
    return user


class SessionStore(db.SessionStore):
    """Django's database sessions (``SESSION_ENGINE = "bridgework.access.requests"``)."""

    def _get_session_from_db(self):
        # The expiry is compared here rather than in the statement: a time is a value the
        # database layer rewrites on its way in, which a fixed statement cannot bind.
        found = _SESSION_READ.first(key=self.session_key) if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found


class SignInBackend(ModelBackend):
    """Django's ``ModelBackend``, reading the signed-in user of each request by its fixed
    statement."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)  # the statement binds a number, as the ORM
        except ValidationError:
            return None
        user = user_by_pk(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
