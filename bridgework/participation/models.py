"""Residents in the loop: proposals and concerns, their supports, comments and reports.

Where each record lives: a **proposal** at the place it is about (a ward or a city), and *put
before* a level (``handled_at``): the place itself at first, a level above once referred up
(the trail is kept in :class:`ProposalReferral`). Supports, comments and reports are parts of a
proposal: whoever may read the proposal reads them, and what residents see of each other is
only a public profile name (:class:`ResidentProfile`), never an email or a real name.

Published content (a proposal and its comments, unless hidden by moderation) is public: the
public pages read it through :mod:`.selectors` without an account; staff pages read through
the policy like every other module.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.actors.models import Theme
from bridgework.bodies.models import Body, DerivedPlaceMixin, PartQuerySet
from bridgework.core.fields import PathField
from bridgework.core.models import TimeStampedModel
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.tlp import TLP
from bridgework.core.urls import record_url
from bridgework.places.models import Place, ReferralStep, ScopedModel

from .choices import OPEN_STATUSES, Moderation, ProposalKind, ProposalStatus, ReportReason

__all__ = [
    "Comment",
    "Proposal",
    "PUBLIC_LABELS",
    "ProposalReferral",
    "Registration",
    "Report",
    "ResidentProfile",
    "Support",
    "SupportThreshold",
    "TownHall",
    "photo_storage",
]


class PhotoStorage(FileSystemStorage):
    """Photos are kept outside the web root, under ``MEDIA_ROOT`` (in the data folder, which
    the backup copies, and never served by URL): only the photo view serves them, and only for
    a proposal its reader may see. The folder follows ``MEDIA_ROOT`` when it changes (a test's
    temporary folder)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "participation")

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(Path(self.base_location).resolve())


def photo_storage() -> FileSystemStorage:
    return PhotoStorage()


class ResidentProfile(TimeStampedModel):
    """What other residents see of a person: a public name that need not be their real one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="resident_profile",
        verbose_name=_("user"),
    )
    public_name = models.CharField(
        _("public name"),
        max_length=60,
        help_text=_("Shown beside what you post. It need not be your real name."),
    )
    born_on = models.DateField(_("date of birth"), null=True, blank=True)
    verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    home = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ward or city"),
    )
    # Set when the resident closed their account: the profile stays (what they published
    # stays, attributed to "a former resident") but holds nothing personal any more.
    erased_at = models.DateTimeField(_("account closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("resident profile")
        constraints = [
            models.UniqueConstraint(
                fields=["public_name"],
                name="resident_public_name_unique",
                violation_error_message=_("Another resident already uses this public name."),
            )
        ]

    def __str__(self) -> str:
        return self.public_name


def public_name_of(user) -> str:
    """The name other residents see for ``user``: their public name, or a neutral word."""
    profile = getattr(user, "resident_profile", None) if user is not None else None
    if profile is not None and profile.erased_at is not None:
        return str(_("A former resident"))
    if profile is not None and profile.public_name:
        return profile.public_name
    return str(_("A resident"))


class SupportThreshold(ScopedModel):
    """How many supports a proposal at this place (and below, unless a place below sets its
    own) needs before the place owes it an answer."""

    supports = models.PositiveIntegerField(_("supports needed"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["place_path", "-created_at", "pk"]
        verbose_name = _("support threshold")

    def __str__(self) -> str:
        return _("%(count)s supports at %(place)s") % {
            "count": self.supports,
            "place": self.place.name,
        }

    def get_absolute_url(self) -> str:
        return record_url("participation:supportthreshold_detail", self.pk)


class ModeratedContent(models.Model):
    """What proposals and comments share: reports counted, hidden and restored by moderators,
    and never deleted (hidden content stays, with the reason, in the audit log)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("author"),
    )
    moderation = models.CharField(
        _("moderation"),
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.VISIBLE,
        editable=False,
    )
    report_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    moderation_reason = models.CharField(
        _("moderator's reason"), max_length=500, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.moderation == Moderation.HIDDEN

    @property
    def author_name(self) -> str:
        return public_name_of(self.author)


class ProposalQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """The policy's answer, less what moderation hid: a hidden proposal exists only for
        those who may moderate it (and so restore it) and for its author (told why), through
        every page and endpoint."""
        rows = super().visible_to(user, action)
        if action == "moderate":
            return rows
        moderated = ScopedQuerySet.visible_to(self.model._default_manager.all(), user, "moderate")
        shown = ~Q(moderation=Moderation.HIDDEN) | Q(pk__in=moderated.values("pk"))
        if getattr(user, "is_authenticated", False):
            shown |= Q(author_id=user.pk)
        return rows.filter(shown)


class Proposal(ModeratedContent, ScopedModel):
    """A resident's proposal or concern for a place, and the place's answer."""

    scope_reads_ancestors = True  # a ward's residents read their city's proposals
    picker_search_field = "title"

    kind = models.CharField(
        _("kind"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.PROPOSAL
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("what you propose or what concerns you"), max_length=5000)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    photo = models.FileField(
        _("photo"), upload_to="photos/%Y/%m/", storage=photo_storage, blank=True, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProposalStatus.choices,
        default=ProposalStatus.NOT_ANSWERED,
    )
    handled_at = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("before"),
        help_text=_("The level that answers it now"),
    )
    handled_path = PathField(editable=False, db_index=True)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    answer_published_at = models.DateTimeField(
        _("answer published"), null=True, blank=True, editable=False
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0, editable=False)
    # Closed proposals leave the public lists after PARTICIPATION_ARCHIVE_MONTHS (a daily job);
    # their pages stay, marked archived.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    # What an accepted proposal became: a plan action or a local need (plans module).
    outcome_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    outcome_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    outcome = GenericForeignKey("outcome_type", "outcome_id")
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ProposalQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("proposal")
        indexes = [
            models.Index(fields=["place_path", "status"], name="proposal_path_status"),
            models.Index(fields=["handled_path", "status"], name="proposal_handler_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.derive_handler()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_url("participation:proposal_detail", self.pk)

    def get_public_url(self) -> str:
        return record_url("participation:public_proposal", self.pk)

    def full_clean(self, *args, **kwargs):
        self.derive_handler()
        super().full_clean(*args, **kwargs)

    def derive_handler(self) -> None:
        """A new proposal goes before its own place; the path follows the handler."""
        if not self.handled_at_id and self.place_id:
            self.handled_at = self.place
        if self.handled_at_id:
            self.handled_path = self.handled_at.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def published_answer(self) -> str:
        """The answer as the public sees it: nothing until it is published."""
        return self.answer if self.answer_published_at else ""

    def response_days(self) -> int | None:
        """Days from posting to the published answer (None while there is none)."""
        if self.answer_published_at is None:
            return None
        return max(0, (self.answer_published_at - self.created_at).days)

    def age_days(self) -> int:
        return max(0, (timezone.now() - self.created_at).days)


class ProposalReferral(TimeStampedModel, ReferralStep):
    """One step of a proposal up the tree: from which level to which, why, by whom."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("proposal")
    )

    class Meta:
        ordering = ["proposal_id", "created_at", "pk"]
        verbose_name = _("proposal referral")

    def __str__(self) -> str:
        return _("%(proposal)s referred up") % {"proposal": self.proposal}


class Support(TimeStampedModel):
    """A resident saying they back a proposal: one each."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supports", verbose_name=_("proposal")
    )
    # Emptied when the resident closes their account: the support still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("resident"),
    )

    class Meta:
        ordering = ["proposal_id", "created_at", "pk"]
        verbose_name = _("support")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"],
                name="proposal_support_once",
                violation_error_message=_("You already support this proposal."),
            )
        ]

    def __str__(self) -> str:
        return _("Support for %(proposal)s") % {"proposal": self.proposal}


class Comment(ModeratedContent, TimeStampedModel):
    """A comment on a proposal, or a reply to one (one level deep)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="comments", verbose_name=_("proposal")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("comment"), max_length=2000)

    class Meta:
        ordering = ["proposal_id", "created_at", "pk"]
        verbose_name = _("comment")

    def __str__(self) -> str:
        return _("Comment on %(proposal)s") % {"proposal": self.proposal}

    def clean(self) -> None:
        parent = self.parent if self.parent_id else None
        if parent is not None:
            if parent.parent_id:
                raise ValidationError({"parent": _("Reply to the first comment of the thread.")})
            if parent.proposal_id != self.proposal_id:
                raise ValidationError({"parent": _("That comment is on another proposal.")})


class Report(TimeStampedModel):
    """Someone telling the moderators a proposal or a comment does not belong: one report per
    person per item."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="reports", verbose_name=_("proposal")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("comment"),
    )
    # Emptied when the reporter closes their account: the moderation trail stays.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=ReportReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("report")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reporter"],
                condition=Q(comment__isnull=True),
                name="report_proposal_once",
                violation_error_message=_("You have already reported this proposal."),
            ),
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(comment__isnull=False),
                name="report_comment_once",
                violation_error_message=_("You have already reported this comment."),
            ),
        ]

    def __str__(self) -> str:
        return _("Report on %(proposal)s") % {"proposal": self.proposal}


# A town hall is public, so only a body whose own label is public may hold one.
PUBLIC_LABELS = (TLP.CLEAR, TLP.GREEN)


class TownHall(DerivedPlaceMixin, ScopedModel):
    """A public meeting of a body with residents: agenda, registration, how many came, the
    minutes and the proposals discussed. At the body's place; open to everyone.

    It follows its body's label: a body labelled AMBER or RED cannot hold one (refused with a
    message), and if a body's label is raised later its town halls leave the public pages and
    are seen only by those who may read the body (``PartQuerySet``) — kept, never deleted."""

    place_follows = ("body",)
    scope_parent_field = "body"
    picker_search_field = "title"

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="town_halls", verbose_name=_("held by")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("where"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True, max_length=5000)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    attendance_count = models.PositiveIntegerField(
        _("people who came"), null=True, blank=True, help_text=_("Counted at the door")
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty for no limit")
    )
    proposals = models.ManyToManyField(
        Proposal, blank=True, related_name="town_halls", verbose_name=_("proposals discussed")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("town hall")
        indexes = [models.Index(fields=["place_path", "starts_at"], name="townhall_path_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="townhall_ends_after_start",
                violation_error_message=_("A town hall cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})" if self.starts_at else self.title

    def get_absolute_url(self) -> str:
        return record_url("participation:townhall_detail", self.pk)

    def get_public_url(self) -> str:
        return record_url("participation:public_townhall", self.pk)

    def derive_place(self) -> None:
        if self.body_id:
            self.place = self.body.place

    def clean(self) -> None:
        super().clean()
        if self.body_id and self.body.tlp not in PUBLIC_LABELS:
            raise ValidationError(
                {
                    "body": _(
                        "A town hall is public, and %(body)s is labelled %(label)s. Choose a "
                        "body labelled TLP:CLEAR or TLP:GREEN, or change the body's label first."
                    )
                    % {"body": self.body.name, "label": TLP(self.body.tlp).label}
                }
            )

    @property
    def is_past(self) -> bool:
        return (self.ends_at or self.starts_at) < timezone.now()


class Registration(TimeStampedModel):
    """Someone saying they will come to a town hall: one each."""

    town_hall = models.ForeignKey(
        TownHall,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("town hall"),
    )
    # Emptied when the resident closes their account: the place stays taken.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )

    class Meta:
        ordering = ["town_hall_id", "created_at", "pk"]
        verbose_name = _("town hall registration")
        constraints = [
            models.UniqueConstraint(
                fields=["town_hall", "user"],
                name="townhall_registration_once",
                violation_error_message=_("You are already registered."),
            )
        ]

    def __str__(self) -> str:
        return _("Registration for %(town_hall)s") % {"town_hall": self.town_hall}
