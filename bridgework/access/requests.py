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
from django.utils import timezone

from bridgework.core.fixed_reads import FixedRead

from .models import User

__all__ = ["SessionStore", "SignInBackend", "user_by_pk"]

_SESSION_READ = FixedRead(
    Session,
    lambda v: Session.objects.filter(session_key=v["key"]),
    ({"key": "sample-session-key-1"}, {"key": "sample-session-key-2"}),
)
_USER_READ = FixedRead(
    User,
    lambda v: User._default_manager.filter(pk=v["pk"]),
    ({"pk": -801}, {"pk": -802}),
)


def user_by_pk(pk) -> User | None:
    """The user with this key, as ``User._default_manager.get(pk=pk)`` reads them."""
    return _USER_READ.first(pk=pk)


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
