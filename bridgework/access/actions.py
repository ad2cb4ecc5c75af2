"""State changes of the access app, and the scope re-check every write goes through."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from auditlog.context import set_actor
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.core.actions import do_create_record, do_delete_record, do_update_record
from bridgework.core.fixed_reads import FixedRead
from bridgework.core.paths import subtree_bounds

from .models import ApiToken, Role, RoleAssignment, TokenPurpose, User
from .policy import CHANGE, access_for, acts_beyond_viewing, assignable_roles, can, forget_access
from .requests import user_by_pk

__all__ = [
    "usable_api_token",
    "password_confirms",
    "authenticate_api_token",
    "do_hide_start_steps",
    "check_can_assign",
    "check_can_manage_user",
    "do_assign_role",
    "do_change_role_assignment",
    "do_create_api_token",
    "do_deactivate_user",
    "do_end_role_assignment",
    "do_revoke_api_token",
    "hash_api_token",
]

TOKEN_PREFIX = "bw_"  # noqa: S105  (a marker, not a secret)
# A calendar token looks different, so one pasted in the wrong place is recognised.
PREFIXES = {TokenPurpose.API: TOKEN_PREFIX, TokenPurpose.CALENDAR: "bwcal_"}


# --- Role assignments -----------------------------------------------------------------------


def check_can_assign(acting_user, *, role: Role, place, hub=None) -> None:
    """A user may assign roles only inside their own subtree and no higher than their role."""
    if not assignable_roles(acting_user, place).filter(pk=role.pk).exists():
        raise ValidationError(
            {"role": _("You may assign only roles up to your own, inside your own places.")}
        )
    if hub is not None:
        low, high = subtree_bounds(place.path)
        outside = [p.name for p in hub.places.all() if not low <= p.path < high]
        if outside:
            raise ValidationError(
                {
                    "hub": _("The hub reaches beyond the chosen place: %(names)s")
                    % {"names": ", ".join(outside)}
                }
            )


@transaction.atomic
def do_assign_role(
    *, user: User, role: Role, place, acting_user, hub=None, starts_on=None, ends_on=None
) -> RoleAssignment:
    check_can_assign(acting_user, role=role, place=place, hub=hub)
    assignment = RoleAssignment(
        user=user,
        role=role,
        place=place,
        hub=hub,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=acting_user,
    )
    do_create_record(assignment, acting_user=acting_user)
    forget_access(user)
    return assignment


@transaction.atomic
def do_change_role_assignment(assignment: RoleAssignment, *, acting_user) -> RoleAssignment:
    check_can_assign(acting_user, role=assignment.role, place=assignment.place, hub=assignment.hub)
    do_update_record(assignment, acting_user=acting_user)
    forget_access(assignment.user)
    return assignment


@transaction.atomic
def do_end_role_assignment(assignment: RoleAssignment, *, acting_user) -> None:
    """Removing an assignment needs the right to grant that role there."""
    check_can_assign(acting_user, role=assignment.role, place=assignment.place)
    do_delete_record(assignment, acting_user=acting_user)
    forget_access(assignment.user)


@transaction.atomic
def do_deactivate_user(user: User, *, acting_user) -> User:
    """Disable an account: every session and API token stops working at the next request,
    because authentication refuses inactive users."""
    check_can_manage_user(acting_user, user)
    with set_actor(acting_user):
        user.is_active = False
        user.save(update_fields=["is_active"])
    forget_access(user)
    return user


def check_can_manage_user(acting_user, user: User) -> None:
    """Only someone who could grant each of the user's roles where they hold it."""
    if acting_user.pk == user.pk:
        raise PermissionDenied(_("You cannot disable your own account."))
    if access_for(acting_user) is None:
        raise PermissionDenied
    assignments = list(user.assignments.select_related("role", "place"))
    if not assignments:
        raise PermissionDenied
    for assignment in assignments:
        if not can(acting_user, CHANGE, RoleAssignment, assignment.place) or not (
            assignable_roles(acting_user, assignment.place).filter(pk=assignment.role_id).exists()
        ):
            raise PermissionDenied


# --- API tokens -----------------------------------------------------------------------------


def hash_api_token(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    purpose: str = TokenPurpose.API,
    second_factor: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token for ``purpose``; the returned secret is shown once and never stored.
    Only for people who may do more than look (``acts_beyond_viewing``). ``second_factor``:
    made in a session that had proven one (see ``ApiToken.second_factor``)."""
    if not acts_beyond_viewing(user):
        raise PermissionDenied(
            _("Personal tokens are for people who may change or export records.")
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name you will recognise.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if purpose not in PREFIXES:
        raise ValidationError({"purpose": _("Choose what the token is for.")})
    secret = PREFIXES[TokenPurpose(purpose)] + secrets.token_urlsafe(32)
    with set_actor(user):
        token = ApiToken.objects.create(
            user=user,
            name=name,
            purpose=purpose,
            prefix=secret[:10],
            key_hash=hash_api_token(secret),
            expires_at=expires_at,
            second_factor=second_factor,
        )
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User) -> ApiToken:
    if token.user_id != acting_user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        with set_actor(acting_user):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
    return token


def authenticate_api_token(secret: str, purpose: str = TokenPurpose.API) -> User | None:
    """The active user owning a usable token with this secret for ``purpose``, or ``None``:
    a calendar token opens no API, an API token no calendar feed."""
    token = usable_api_token(secret, purpose)
    return token.user if token is not None else None


# Read on every request that carries a token (its user by the sign-in backend's own read).
_TOKEN_READ = FixedRead(
    ApiToken,
    lambda v: ApiToken.objects.filter(key_hash=v["key_hash"], purpose=v["purpose"]),
    (
        {"key_hash": "sample-hash-1", "purpose": "sample-purpose-1"},
        {"key_hash": "sample-hash-2", "purpose": "sample-purpose-2"},
    ),
)


def usable_api_token(secret: str, purpose: str = TokenPurpose.API) -> ApiToken | None:
    """The usable token of an active user with this secret for ``purpose``, or ``None``."""
    prefix = PREFIXES.get(TokenPurpose(purpose)) if purpose in PREFIXES else None
    if not secret or prefix is None or not secret.startswith(prefix):
        return None
    token = _TOKEN_READ.first(key_hash=hash_api_token(secret), purpose=str(purpose))
    if token is None or not token.is_usable:
        return None
    user = user_by_pk(token.user_id)
    if user is None or not user.is_active:
        return None
    token.user = user
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Throttled so a busy client does not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def do_hide_start_steps(user: User) -> None:
    """The person has read the home page's first steps and puts them away (for good)."""
    if user.start_steps_hidden_at is None:
        user.start_steps_hidden_at = timezone.now()
        with set_actor(user):
            user.save(update_fields=["start_steps_hidden_at"])


def password_confirms(request, user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s, asked through the sign-in backends: a wrong guess
    counts towards the same lockout as one on the sign-in form, and a locked-out account is
    refused here too (axes answers with its lockout page)."""
    confirmed = authenticate(request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk
