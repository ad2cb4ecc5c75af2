"""Whether a session has proven a second factor (django-otp keeps the proof in the session),
and which kinds of record wait for one.

The platform asks for a second factor only where a module requires it (the response module's
incident data): the module registers its models and who must prove one for them
(``guard_with_second_factor``). Pages the platform shares between modules (a place's activity
feed) then leave those records out for a session that has not proven it, as the module's own
pages would refuse them; the account page records whether a token was made behind one."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

__all__ = ["guard_with_second_factor", "guarded_from", "session_is_verified"]

_GUARDS: list[tuple[frozenset[str], Callable[..., bool]]] = []


def guard_with_second_factor(labels: Iterable[str], applies_to: Callable[..., bool]) -> None:
    """Records of the models ``labels`` ("app.model") are shown only to a session that proved
    a second factor, for users ``applies_to(user)`` says must (at start-up, once per module)."""
    _GUARDS.append((frozenset(labels), applies_to))


def guarded_from(request) -> frozenset[str]:
    """The model labels this request may not be shown yet: those guarded for its user, unless
    the session has proven a second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    guarded = [labels for labels, applies_to in _GUARDS if applies_to(user)]
    if not guarded or session_is_verified(request):
        return frozenset()
    return frozenset().union(*guarded)


def session_is_verified(request) -> bool:
    """The session's second factor: a confirmed device of this user, proven in this session."""
    session = getattr(request, "session", None)
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == request.user.pk and device.confirmed
