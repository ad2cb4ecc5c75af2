"""Idle and absolute session lifetimes.

The last-seen time is refreshed at most once a minute, so a busy reader does not write the
session on every request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

from .requests import reading_users_with
from .signals import LAST_SEEN_AT, SIGNED_IN_AT

__all__ = ["AuthenticationMiddleware", "SessionTimeoutMiddleware", "client_address"]

REFRESH_EVERY_SECONDS = 60


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, finding the request's user from the user its session read with it
    (``access.requests``): one statement for both. The user is found at once rather than
    on first use: the session timeout, next, asks every request for it anyway, and each use
    of a lazy user goes through its proxy (a page asks a few hundred times)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = _request_user(request)


def _request_user(request):
    with reading_users_with(request.session):
        return auth_middleware.get_user(request)


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            last_seen_at = request.session.get(LAST_SEEN_AT, signed_in_at)
            expired = (
                signed_in_at is None
                or now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS
                or now - last_seen_at > settings.SESSION_IDLE_SECONDS
            )
            if expired:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Your session has ended. Please sign in again."))
                    return redirect_to_login(request.get_full_path())
            elif now - last_seen_at >= REFRESH_EVERY_SECONDS:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


def client_address(request) -> str | None:
    """The address a request came from: ``REMOTE_ADDR``, or behind the README's TLS proxy
    (``BEHIND_PROXY``) the address that proxy saw, the last one in ``X-Forwarded-For`` — the
    entries before it are whatever the client chose to send."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
