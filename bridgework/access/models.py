"""Users, roles, the policy table, role assignments, API tokens and the sensitive-read log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.core.fixed_reads import FixedRead
from bridgework.core.models import TimeStampedModel, ends_after_start
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.tlp import TLP
from bridgework.core.urls import record_url
from bridgework.places.models import Hub, ScopedModel

from .roles import default_role_name

__all__ = [
    "EPOCH_READ_WITH_USER",
    "AccessEpoch",
    "ApiToken",
    "PolicyRule",
    "Role",
    "RoleAssignment",
    "SensitiveRead",
    "Session",
    "TokenPurpose",
    "User",
]


class UserQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> UserQuerySet:
        """People whose role assignments ``user`` may ``action``: someone is known to you
        through a role they hold in your places, and not otherwise."""
        assignments = RoleAssignment.objects.visible_to(user, action)
        return self.filter(pk__in=assignments.values("user_id"))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user, action: str = "view") -> UserQuerySet:
        return self.get_queryset().visible_to(user, action)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, by email. Their reach comes only from role assignments."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)  # type: ignore[misc]
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Bumped whenever this person's role assignments change: part of the key under which
    # their resolved access is cached between requests (access.policy.access_for).
    access_version = models.PositiveIntegerField(default=0, editable=False)
    # When they put away the home page's first steps (shown until then, from the first
    # sign-in on: web.home).
    start_steps_hidden_at = models.DateTimeField(
        _("first steps put away"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.Model):
    """A role is a row; what it may do is the set of its policy rules."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("A user may assign only roles of this rank or lower")
    )
    tlp_ceiling = models.PositiveSmallIntegerField(
        _("read ceiling"),
        choices=TLP.choices,
        default=TLP.GREEN,
        help_text=_("The most sensitive label this role may read"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        """The default roles' names in the reader's language; custom roles as stored."""
        return default_role_name(self.slug, self.name)


class PolicyRule(models.Model):
    """One row of the policy table: ``role`` may do ``action`` on ``model_label``
    (``app_label.model``, or ``*`` for every model)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="rules")
    action = models.CharField(_("action"), max_length=40)
    model_label = models.CharField(_("model"), max_length=100)

    class Meta:
        ordering = ["role", "model_label", "action"]
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "action", "model_label"],
                name="policyrule_unique",
                violation_error_message=_("The role already has this action on this model."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.role.slug}: {self.action} {self.model_label}"


class RoleAssignmentQuerySet(ScopedQuerySet):
    def active_on(self, day):
        return self.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=day)
        )


class RoleAssignment(ScopedModel):
    """User × role × place subtree × dates. With a hub, the scope is the hub's places."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("role")
    )
    hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("regional hub"),
        help_text=_("For hub officers: the scope is every place of the hub"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    objects = RoleAssignmentQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["place_path", "user__email"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            ends_after_start(
                "starts_on",
                "ends_on",
                name="assignment_ends_after_start",
                message=_("An assignment must end after it starts."),
                same_day=False,
            )
        ]
        indexes = [models.Index(fields=["user", "ends_on"], name="assignment_user_ends")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.hub or self.place}"

    def get_absolute_url(self) -> str:
        return record_url("access:roleassignment_detail", self.pk)

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("An assignment must end after it starts.")})


# The attribute a user read for a request keeps the access epoch in, read in the same
# statement (``access.requests.user_by_pk``); ``AccessEpoch.read_for`` prefers it.
EPOCH_READ_WITH_USER = "_bridgework_epoch"


class AccessEpoch(models.Model):
    """One row: bumped whenever something that shapes *everyone's* access changes — a role, a
    policy rule, a hub's places, a place moving in the tree. Part of every cached access's
    key, so no process serves an access resolved before the change."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("access epoch")

    def __str__(self) -> str:
        return f"access epoch {self.value}"

    @classmethod
    def read_for(cls, user) -> int:
        """The epoch as read with ``user`` for this request, else as it is now."""
        epoch = getattr(user, EPOCH_READ_WITH_USER, None)
        return cls.current() if epoch is None else epoch

    @classmethod
    def current(cls) -> int:
        row = _EPOCH_READ.first(pk=1)
        return int(row[0]) if row is not None else 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(value=models.F("value") + 1):
            cls.objects.get_or_create(pk=1, defaults={"value": 1})


# Read on every signed-in request, as part of the cached access's key.
_EPOCH_READ = FixedRead(
    AccessEpoch,
    lambda v: AccessEpoch.objects.filter(pk=v["pk"]).values_list("value"),
    ({"pk": -701}, {"pk": -702}),
)


class Session(AbstractBaseSession):
    """A browser's session: Django's database session, with the signed-in user's key in a
    column of its own, so that a request reads its session, its user and the access epoch in
    one statement (``access.requests``, decision 0018). Deleting a user ends their sessions."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from .requests import SessionStore

        return SessionStore


class SensitiveRead(models.Model):
    """A read of an AMBER or RED record. Ids only: no names, no content."""

    user_id = models.BigIntegerField(db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    tlp = models.PositiveSmallIntegerField(choices=TLP.choices)
    channel = models.CharField(max_length=10, default="page")
    read_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-read_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sensitiveread_obj")]

    def __str__(self) -> str:
        return f"read of {self.content_type_id}:{self.object_id} by user {self.user_id}"


class TokenPurpose(models.TextChoices):
    API = "api", _("Scripts and the API")
    CALENDAR = "calendar", _("Calendar apps (read-only feeds)")


class ApiToken(TimeStampedModel):
    """A personal token. Only a SHA-256 of the secret is stored; the secret is shown once.

    A token serves one purpose: an API token opens the API; a calendar token opens only the
    calendar feeds (calendar apps put it in a URL, where it may be seen), nothing else."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(
        _("for"), max_length=10, choices=TokenPurpose.choices, default=TokenPurpose.API
    )
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Made in a session that had proven a second factor: such a token may read what a second
    # factor guards (incident data); one made without may not.
    second_factor = models.BooleanField(
        _("made behind a second factor"), default=False, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
