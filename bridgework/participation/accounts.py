"""Resident accounts: sign-up with a public name and a date of birth, email verification by a
signed link, and the resident role at their ward or city once verified. Separate from staff
accounts, which coordinators open (access module); a resident's account is theirs alone."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from auditlog.context import set_actor
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgework.access.models import Role, RoleAssignment, User
from bridgework.places.models import Place

from .conf import setting_int, setting_str
from .models import ResidentProfile

__all__ = [
    "check_signup_rate",
    "do_sign_up",
    "do_verify_resident",
    "is_old_enough",
    "resident_places",
    "verification_token",
]

SALT = "participation.verify-resident"


def resident_places():
    """Where a resident may live on the platform: open cities and wards (a country's third
    level and below), never a country or a region."""
    return Place.objects.filter(depth__gte=3, closed_on__isnull=True)


def is_old_enough(born_on: datetime.date, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    years = setting_int("PARTICIPATION_MINIMUM_AGE")
    had_birthday = (today.month, today.day) >= (born_on.month, born_on.day)
    return today.year - born_on.year - (0 if had_birthday else 1) >= years


def check_signup_rate(address: str | None) -> None:
    """The API's rate machinery, per address: an address cannot open accounts in bulk."""
    from ninja.throttling import SimpleRateThrottle

    class SignupThrottle(SimpleRateThrottle):
        scope = "participation-signup"

        def get_cache_key(self, request) -> str | None:
            return self.cache_format % {"scope": self.scope, "ident": request.address}

    if not address:
        return
    throttle = SignupThrottle(rate=setting_str("PARTICIPATION_SIGNUP_RATE"))
    if not throttle.allow_request(SimpleNamespace(address=address)):  # type: ignore[arg-type]
        raise ValidationError(_("Too many sign-ups from here. Please try again later."))


def verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT)


@transaction.atomic
def do_sign_up(
    *,
    email: str,
    password: str,
    public_name: str,
    born_on: datetime.date,
    home: Place,
    language: str = "en",
) -> User | None:
    """Open an inactive account and send its verification link. An address that already has
    an account gets nothing new (and the page says the same either way, so nobody learns
    which addresses have accounts here)."""
    if not is_old_enough(born_on):
        raise ValidationError(
            {
                "born_on": _("You must be at least %(years)s years old to take part.")
                % {"years": setting_int("PARTICIPATION_MINIMUM_AGE")}
            }
        )
    if not resident_places().filter(pk=home.pk).exists():
        raise ValidationError({"home": _("Choose your city or ward.")})
    if User.objects.filter(email__iexact=email).exists():
        return None
    user = User(email=email.lower(), is_active=False, preferred_language=language)
    validate_password(password, user)
    user.set_password(password)
    profile = ResidentProfile(
        user=user, public_name=public_name.strip(), born_on=born_on, home=home
    )
    profile.validate_unique(exclude=["user"])
    profile.validate_constraints(exclude=["user"])
    with set_actor(None):
        user.save()
        profile.user = user
        profile.save()
    transaction.on_commit(lambda: _send_verification(user))
    return user


def _send_verification(user: User) -> None:
    link = settings.SITE_URL + reverse("participation:verify", args=[verification_token(user)])
    context = {"link": link, "days": setting_int("PARTICIPATION_VERIFY_DAYS")}
    with translation.override(user.preferred_language):
        send_mail(
            _("[Bridgework] Confirm your email address"),
            render_to_string("participation/verify_email.txt", context),
            None,
            [user.email],
        )


@transaction.atomic
def do_verify_resident(token: str) -> User:
    """The link from the email: the account opens and holds the resident role at its home."""
    max_age = datetime.timedelta(days=setting_int("PARTICIPATION_VERIFY_DAYS"))
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature as exc:  # includes an expired link
        raise ValidationError(_("This link is not valid or has expired. Sign up again.")) from exc
    # Locked, so two clicks on the link at once give one role, not two.
    found = (
        User.objects.select_for_update()
        .filter(pk=data.get("user"), email=data.get("email"))
        .first()
    )
    profile = ResidentProfile.objects.filter(user=found).first() if found else None
    if found is None or profile is None or profile.home is None:
        raise ValidationError(_("This link is not valid or has expired. Sign up again."))
    if profile.verified_at is not None:
        return found
    found.is_active = True
    profile.verified_at = timezone.now()
    with set_actor(found):
        found.save(update_fields=["is_active"])
        profile.save(update_fields=["verified_at", "updated_at"])
        RoleAssignment.objects.get_or_create(
            user=found, role=Role.objects.get(slug="resident"), place=profile.home
        )
    return found
