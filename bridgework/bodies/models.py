"""Coordination bodies, their seats and meetings, and the action items they raise across levels.

Every record here lives at a place, like everything else:

* a body at its own place; its seats, meetings, attendance and decisions at the body's place;
* an action item where both its owner and the body that raised it can reach it: at the deeper
  of the two places when one lies inside the other (a national board's item for a district
  council sits in the district; a district committee's question to a ministry sits in the
  district too), otherwise at the owner's place; its updates at the item's place.

Parts of a labelled record (a body's seats, a meeting's attendance and decisions, an item's
updates) carry no label of their own: :class:`PartQuerySet` shows them only where their parent
is visible, so the parent's TLP label governs them too.
"""

from __future__ import annotations

import datetime
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Person
from bridgework.core.models import ends_after_start
from bridgework.core.scoping import PartQuerySet, ScopedQuerySet
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, ScopedModel

from .choices import CLOSED_ACTION_STATUSES, ActionStatus, BodyKind, MeetingStatus, SeatRole

__all__ = [
    "ActionItem",
    "ActionItemQuerySet",
    "ActionUpdate",
    "Attendance",
    "Body",
    "Decision",
    "Meeting",
    "PartQuerySet",
    "Seat",
    "SeatQuerySet",
    "held_on_q",
]


def held_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Rows (seats, posts) whose ``starts_on``–``ends_on`` span holds ``day``; both ends
    inclusive and open when empty."""
    return (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": day})) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


# What the constraints say when a form or an API body breaks them. Each check lives once, in
# its constraint: a clean() repeating it would show the same sentence twice.
SEAT_HOLDER = _("A seat is held by an organisation or by a person: choose exactly one.")
ATTENDANCE_NAMES_SOMEONE = _("Say who came: a seat, an organisation or a person.")
ACTION_OWNER = _("An action is owned by an organisation or by a person: choose exactly one.")


def _exactly_one(first: str, second: str) -> Q:
    return (Q(**{f"{first}__isnull": False}) & Q(**{f"{second}__isnull": True})) | (
        Q(**{f"{first}__isnull": True}) & Q(**{f"{second}__isnull": False})
    )


class DerivedPlaceMixin:
    """The place of these records follows another record (the body, the owner): derived before
    validation, so a form without a place field still validates, and again on save."""

    def derive_place(self) -> None:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def full_clean(self, *args, **kwargs):
        self.derive_place()
        super().full_clean(*args, **kwargs)  # type: ignore[misc]

    def save(self, *args, **kwargs):
        self.derive_place()
        super().save(*args, **kwargs)  # type: ignore[misc]


# --- bodies and seats --------------------------------------------------------------------------


class Body(LabelledModel):
    """A coordination body: a national centre, a district peace committee, a leaders' table."""

    picker_search_field = "name"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=BodyKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=OrgLevel.choices)
    mandate = models.TextField(_("mandate"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent body"),
        help_text=_("The body this one reports to or works under"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("coordination body")
        verbose_name_plural = _("coordination bodies")
        indexes = [models.Index(fields=["place_path", "kind"], name="body_path_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("bodies:body_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A body cannot be its own parent.")})


class SeatQuerySet(PartQuerySet):
    def current_on(self, day: datetime.date) -> Self:
        return self.filter(held_on_q(day))


class Seat(DerivedPlaceMixin, ScopedModel):
    """A seat at a body's table, held by an organisation or by a person (never both)."""

    scope_parent_field = "body"
    scope_reads_ancestors = True
    place_follows = ("body",)

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="seats", verbose_name=_("body")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("person"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=SeatRole.choices, default=SeatRole.MEMBER
    )
    constituency = models.CharField(
        _("community or constituency"),
        max_length=200,
        blank=True,
        help_text=_("Whom the seat speaks for, e.g. the community a leader represents"),
    )
    sector = models.CharField(
        _("sector represented"),
        max_length=30,
        choices=Sector.choices,
        blank=True,
        help_text=_(
            "For a seat held by a person: the sector of the community they speak for (a "
            "faith, youth or women's community…). Left empty, the seat counts for the sector "
            "of the organisation the person works for."
        ),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    # The stubs take the `objects` inherited from ScopedModel for a ClassVar.
    objects = SeatQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["body_id", "role", "pk"]
        verbose_name = _("seat")
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("organisation", "person"),
                name="seat_exactly_one_holder",
                violation_error_message=SEAT_HOLDER,
            ),
            ends_after_start(
                "starts_on",
                "ends_on",
                name="seat_ends_after_start",
                message=_("A seat cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        # Never the holder: one may see a body's seat without seeing the AMBER person in it.
        return _("%(role)s seat, %(body)s") % {"role": self.get_role_display(), "body": self.body}

    def get_absolute_url(self) -> str:
        return record_url("bodies:seat_detail", self.pk)

    def derive_place(self) -> None:
        if self.body_id:
            self.place = self.body.place

    def clean(self) -> None:
        # "Exactly one holder" is the constraint's own check, with its words (SEAT_HOLDER).
        if self.organisation_id and self.sector:
            raise ValidationError(
                {
                    "sector": _(
                        "An organisation's seat counts for the organisation's own sector: "
                        "leave this empty."
                    )
                }
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A seat cannot end before it starts.")})

    @property
    def holder(self) -> Organisation | Person | None:
        return self.organisation if self.organisation_id else self.person

    def is_current_on(self, day: datetime.date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or self.ends_on >= day
        )


# --- meetings ----------------------------------------------------------------------------------


class Meeting(DerivedPlaceMixin, LabelledModel):
    """A meeting of a body, at the body's place; never less sensitive than the body."""

    label_at_least = ("body",)
    place_follows = ("body",)

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("meeting")
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})" if self.starts_at else self.title

    def get_absolute_url(self) -> str:
        return record_url("bodies:meeting_detail", self.pk)

    def derive_place(self) -> None:
        if self.body_id:
            self.place = self.body.place

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})


class Attendance(DerivedPlaceMixin, ScopedModel):
    """Someone who came to a meeting: through a seat of the body, or as a guest organisation
    or person. A seat's holder is copied onto the row, so "which sectors were at the table" is
    one join to the organisation."""

    scope_parent_field = "meeting"
    scope_reads_ancestors = True
    place_follows = ("meeting",)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    seat = models.ForeignKey(
        Seat,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("seat"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )

    # The stubs take the `objects` inherited from ScopedModel for a ClassVar.
    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["meeting_id", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(seat__isnull=False)
                | Q(organisation__isnull=False)
                | Q(person__isnull=False),
                name="attendance_names_someone",
                violation_error_message=ATTENDANCE_NAMES_SOMEONE,
            ),
            models.UniqueConstraint(
                fields=["meeting", "seat"],
                condition=Q(seat__isnull=False),
                name="attendance_seat_once",
                violation_error_message=_("That seat is already recorded at this meeting."),
            ),
        ]

    def __str__(self) -> str:
        # Never who came (they may be out of the reader's sight); the meeting is always in it.
        return _("Attendance at %(meeting)s") % {"meeting": self.meeting}

    def get_absolute_url(self) -> str:
        return record_url("bodies:attendance_detail", self.pk)

    def derive_place(self) -> None:
        if self.meeting_id:
            self.place = self.meeting.place
        if self.seat_id and self.seat is not None:  # loaded by its id: never None here
            self.organisation_id = self.seat.organisation_id
            self.person_id = self.seat.person_id

    def clean(self) -> None:
        # "Someone came" is the constraint's own check (ATTENDANCE_NAMES_SOMEONE).
        if (
            self.seat_id
            and self.meeting_id
            and self.seat is not None  # loaded by its id: never None here
            and self.seat.body_id != self.meeting.body_id
        ):
            raise ValidationError({"seat": _("That seat belongs to another body.")})


class Decision(DerivedPlaceMixin, ScopedModel):
    """A numbered decision taken at a meeting."""

    scope_parent_field = "meeting"
    scope_reads_ancestors = True
    place_follows = ("meeting",)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    number = models.PositiveIntegerField(
        _("number"), blank=True, help_text=_("Left empty, the meeting's next number")
    )
    text = models.TextField(_("decision"))

    # The stubs take the `objects` inherited from ScopedModel for a ClassVar.
    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["meeting_id", "number", "pk"]
        verbose_name = _("decision")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="decision_number_unique",
                violation_error_message=_(
                    "This meeting already has a decision with that number: leave the number "
                    "empty to take the next one."
                ),
            )
        ]

    def __str__(self) -> str:
        """By its meeting's day and its words ("12 Mar 2026 — Hold a joint vigil."): numbers
        repeat from one meeting to the next, so "Decision 1" alone says nothing in a choice."""
        text = (self.text[:60].rstrip() + "…") if len(self.text) > 60 else self.text
        meeting = self.meeting if self.meeting_id else None
        if meeting is None or meeting.starts_at is None:
            return text
        day = date_format(timezone.localtime(meeting.starts_at).date(), "j M Y")
        return f"{day} — {text}"

    def get_absolute_url(self) -> str:
        return record_url("bodies:decision_detail", self.pk)

    def derive_place(self) -> None:
        if self.meeting_id:
            self.place = self.meeting.place


# --- action items ------------------------------------------------------------------------------


class ActionItemQuerySet(ScopedQuerySet):
    def unfinished(self) -> Self:
        return self.exclude(status__in=CLOSED_ACTION_STATUSES)

    def overdue_on(self, day: datetime.date) -> Self:
        return self.unfinished().filter(due_on__lt=day)


class ActionItem(DerivedPlaceMixin, LabelledModel):
    """Something a body asked an organisation or person, at any level, to do by a date; never
    less sensitive than the body that raised it or the meeting it came from."""

    label_at_least = ("raised_by", "meeting")
    # The owner may be anywhere the user sees (a ministry above them): the item then sits at
    # the raising body's place, so the body is what must lie within the user's reach.
    place_follows = ("raised_by",)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    raised_by = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("raised by")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("meeting"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("decision"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owner (organisation)"),
    )
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owner (person)"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    # Bookkeeping for notify_overdue_actions: at most one overdue reminder per item per day.
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # The stubs take the `objects` inherited from ScopedModel for a ClassVar.
    objects = ActionItemQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        indexes = [
            models.Index(fields=["place_path", "status", "due_on"], name="action_path_status_due"),
            models.Index(fields=["raised_by", "status", "due_on"], name="action_body_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("owner_organisation", "owner_person"),
                name="action_exactly_one_owner",
                violation_error_message=ACTION_OWNER,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("bodies:actionitem_detail", self.pk)

    def derive_place(self) -> None:
        # An item that names a decision comes from the meeting that took it: its label may not
        # fall below that meeting's (label_at_least), whether or not the meeting was given.
        if self.decision_id and not self.meeting_id and self.decision is not None:
            self.meeting_id = self.decision.meeting_id
        # Where both sides of a cross-level request see it: the deeper of the owner's and the
        # raising body's places when one contains the other ("a ministry can owe a district
        # council an answer"); across branches, with whoever owes it.
        owner = self.owner
        if owner is None:
            return
        place = owner.place
        if self.raised_by_id and self.raised_by is not None:
            body_place = self.raised_by.place
            if body_place.path.startswith(place.path):
                place = body_place
        self.place = place

    def clean(self) -> None:
        super().clean()
        # "Exactly one owner" is the constraint's own check, with its words (ACTION_OWNER).
        if (
            self.meeting_id
            and self.raised_by_id
            and self.meeting is not None  # loaded by its id: never None here
            and self.meeting.body_id != self.raised_by_id
        ):
            raise ValidationError({"meeting": _("That meeting is not a meeting of this body.")})
        if (
            self.decision_id
            and self.raised_by_id
            and self.decision is not None  # loaded by its id: never None here
            and (self.decision.meeting.body_id != self.raised_by_id)
        ):
            raise ValidationError({"decision": _("That decision was taken by another body.")})
        if (
            self.decision_id
            and self.meeting_id
            and self.decision is not None  # loaded by its id: never None here
            and self.decision.meeting_id != self.meeting_id
        ):
            raise ValidationError({"meeting": _("That decision was taken at another meeting.")})

    @property
    def owner(self) -> Organisation | Person | None:
        if self.owner_organisation_id:
            return self.owner_organisation
        if self.owner_person_id:
            return self.owner_person
        return None

    @property
    def is_finished(self) -> bool:
        return self.status in CLOSED_ACTION_STATUSES

    def is_overdue_on(self, day: datetime.date) -> bool:
        return bool(self.due_on and self.due_on < day and not self.is_finished)


class ActionUpdate(DerivedPlaceMixin, ScopedModel):
    """Progress on an action item, optionally moving its status. An append-only log."""

    scope_parent_field = "item"
    scope_reads_ancestors = True
    place_follows = ("item",)

    item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("update"))
    status_from = models.CharField(
        _("status before"), max_length=20, blank=True, choices=ActionStatus.choices
    )
    status_to = models.CharField(
        _("status after"), max_length=20, blank=True, choices=ActionStatus.choices
    )

    # The stubs take the `objects` inherited from ScopedModel for a ClassVar.
    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["item_id", "created_at", "pk"]
        verbose_name = _("action update")

    def __str__(self) -> str:
        return _("Update on %(item)s") % {"item": self.item}

    def get_absolute_url(self) -> str:
        return record_url("bodies:actionupdate_detail", self.pk)

    def derive_place(self) -> None:
        if self.item_id:
            self.place = self.item.place

    @property
    def changes_status(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from
