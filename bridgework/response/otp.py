"""TOTP two-factor for the response module (django-otp): whoever may read AMBER or RED
response records enrols an authenticator app and proves it in each session before any page or
endpoint of the module answers them. Recovery codes (a static device) stand in for a lost
phone. The rest of Bridgework is not affected.

Verification is kept in the session by django-otp (``django_otp.login``); a new sign-in is a
new session, so it is asked again. ``RESPONSE_REQUIRE_OTP = False`` turns the requirement off
(the test settings do, so that the platform's generated tests need no second factor; the
module's own tests turn it back on)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.access.policy import access_for
from bridgework.access.second_factor import session_is_verified
from bridgework.core.tlp import TLP

__all__ = [
    "RESPONSE_MODELS",
    "confirm_enrolment",
    "needs_second_factor",
    "otp_required",
    "pending_device",
    "must_verify",
    "require_second_factor",
    "safe_next",
    "session_is_verified",
    "verify_in_session",
]

RESPONSE_MODELS = (
    "response.report",
    "response.tensionassessment",
    "response.alertrule",
    "response.crisis",
    "response.crisisupdate",
)
RECOVERY_CODES = 10


def otp_required() -> bool:
    return bool(getattr(settings, "RESPONSE_REQUIRE_OTP", True))


def needs_second_factor(user) -> bool:
    """Whether ``user`` holds a role that may read AMBER (or higher) response records."""
    access = access_for(user)
    if access is None:
        return False
    return any(
        held.ceiling >= TLP.AMBER
        for label in RESPONSE_MODELS
        for held, _path in access.grants("view", label)
    )


def verify_in_session(request, token: str) -> bool:
    """Check ``token`` against the user's confirmed devices (app or recovery code); on success
    the session is verified."""
    token = token.replace(" ", "").strip()
    with transaction.atomic():
        for device in devices_for_user(request.user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                otp_login(request, device)
                return True
    return False


def pending_device(user) -> TOTPDevice:
    """The user's TOTP device waiting to be confirmed (made when first asked)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a first code from the app; the recovery codes (shown once), or
    None when the code is wrong."""
    if not device.verify_token(token.replace(" ", "").strip()):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        static, _created = StaticDevice.objects.get_or_create(
            user=request.user, name="Recovery codes", defaults={"confirmed": True}
        )
        static.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    otp_login(request, device)
    return codes


def has_confirmed_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("response:report_list")


def must_verify(user) -> bool:
    """Whether ``user`` must prove a second factor before reading the module's records."""
    return otp_required() and user.is_authenticated and needs_second_factor(user)


def require_second_factor(view):
    """A page of the module: someone who must prove a second factor is sent to enrol or verify
    first (and brought back)."""

    @wraps(view)
    def wrapped(request, *args: Any, **kwargs: Any):
        user = request.user
        if must_verify(user) and not session_is_verified(request):
            step = "response:otp_verify" if has_confirmed_device(user) else "response:otp_enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped


def check_api_second_factor(request) -> None:
    """The API's side: 403 until the session has a verified second factor. A script's token
    holds no session: it counts as verified when it was made in a session that was (the
    account page records it), as a second factor guards the making of the token."""
    user = request.user
    must = must_verify(user)
    token = getattr(request, "api_token", None)
    verified = token.second_factor if token is not None else session_is_verified(request)
    if must and not verified:
        raise PermissionDenied(
            _(
                "Verify your second factor (response/two-factor/) to read incident data; a "
                "script needs a token made after verifying it."
            )
        )
