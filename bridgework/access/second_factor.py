"""Whether a session has proven a second factor (django-otp keeps the proof in the session).

The platform asks for a second factor only where a module requires it (the response module's
incident data); the check lives here so that the account page, which makes personal tokens,
can tell whether a token is made behind one without importing that module."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

__all__ = ["session_is_verified"]


def session_is_verified(request) -> bool:
    """The session's second factor: a confirmed device of this user, proven in this session."""
    session = getattr(request, "session", None)
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == request.user.pk and device.confirmed
