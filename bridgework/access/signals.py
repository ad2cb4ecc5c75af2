"""Receivers that keep sessions honest. They change no domain data."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

__all__ = ["remember_sign_in_time"]

SIGNED_IN_AT = "bridgework_signed_in_at"
LAST_SEEN_AT = "bridgework_last_seen_at"


@receiver(user_logged_in)
def remember_sign_in_time(sender, request, user, **kwargs):
    """Start the absolute session clock (see SessionTimeoutMiddleware)."""
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
