"""National strategies, local plans and local needs, and the indicators reported against them.

Where each record lives (its place decides who reaches it, as everywhere):

* a national **strategy** at the place of the body that owns it (a country); its pillars,
  objectives and indicators are parts of it, at the same place, under its label;
* a **local plan** at the place it plans for; its priorities and actions are parts of it;
* a **local need** at the place that raised it, and *put before* the level that handles it
  now (``handled_at``): while it is there, the shareable ones are read by every place under
  that level, so a neighbouring city can say it shares the need; its supports live at the
  supporting place, its referrals (the trail up the tree) with the need;
* an **indicator value** at the place that reported it, with its ancestors at every depth
  stored beside it (:class:`~bridgework.places.models.RolledUpModel`); an **approval** at the
  place that signed off a period.

A strategy is revised into a new version; objectives and indicators of the new version point
to the one they continue (``lineage``), so plan actions and values linked to an old version
still count for the new one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.actors.models import Organisation
from bridgework.bodies.models import Body, DerivedPlaceMixin, PartQuerySet
from bridgework.core.fields import PathField
from bridgework.core.models import ends_after_start
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, Place, ReferralStep, RolledUpModel, ScopedModel

from .choices import (
    OPEN_NEED_STATUSES,
    Aggregation,
    AnswerKind,
    NeedCategory,
    NeedStatus,
    Periodicity,
    PlanActionStatus,
    PlanStatus,
    Priority,
    StrategyStatus,
)
from .periods import Period

__all__ = [
    "Approval",
    "Indicator",
    "IndicatorValue",
    "LocalNeed",
    "LocalPlan",
    "LocalPlanQuerySet",
    "NeedReferral",
    "NeedSupport",
    "Objective",
    "Pillar",
    "PlanAction",
    "PlanPriority",
    "Strategy",
    "first_handler",
    "supports_from_outside",
]


def _lineage_field() -> models.ForeignKey:
    return models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("continues"),
        help_text=_("The same item in the version of the strategy this one revises"),
    )


# --- national strategies -------------------------------------------------------------------------


class Strategy(DerivedPlaceMixin, LabelledModel):
    """A national strategy (pillars > objectives > indicators), owned by a national body."""

    place_follows = ("owner",)
    picker_search_field = "title"

    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="strategies",
        verbose_name=_("owner body"),
        help_text=_("The national body that owns and revises the strategy"),
    )
    summary = models.TextField(_("summary"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="revision",
        verbose_name=_("revises"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["title", "-version", "pk"]
        verbose_name = _("national strategy")
        verbose_name_plural = _("national strategies")
        constraints = [
            ends_after_start(
                "starts_on",
                "ends_on",
                name="strategy_ends_after_start",
                message=_("A strategy cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["place_path", "status"], name="strategy_path_status")]

    def __str__(self) -> str:
        if self.version > 1:
            return _("%(title)s (version %(version)s)") % {
                "title": self.title,
                "version": self.version,
            }
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("plans:strategy_detail", self.pk)

    def derive_place(self) -> None:
        if self.owner_id:
            self.place = self.owner.place


class StrategyPart(DerivedPlaceMixin, ScopedModel):
    """A part of a strategy: at its place, visible where the strategy is."""

    scope_parent_field = "strategy"
    scope_reads_ancestors = True

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def derive_place(self) -> None:
        if self.strategy_id:  # type: ignore[attr-defined]
            self.place = self.strategy.place  # type: ignore[attr-defined]


class Pillar(StrategyPart):
    place_follows = ("strategy",)

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("strategy")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["strategy_id", "number", "pk"]
        verbose_name = _("pillar")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "number"],
                name="pillar_number_unique",
                violation_error_message=_("The strategy already has a pillar with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("plans:pillar_detail", self.pk)


class Objective(StrategyPart):
    """A national objective. ``code`` reads like "2.1" (pillar 2, objective 1)."""

    place_follows = ("pillar",)
    picker_search_field = "title"

    pillar = models.ForeignKey(
        Pillar, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("pillar")
    )
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.CASCADE,
        related_name="objectives",
        editable=False,
        verbose_name=_("strategy"),
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. 2.1"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lineage = _lineage_field()

    class Meta:
        ordering = ["strategy_id", "code", "pk"]
        verbose_name = _("national objective")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"],
                name="objective_code_unique",
                violation_error_message=_("The strategy already has an objective with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("plans:objective_detail", self.pk)

    def derive_place(self) -> None:
        if self.pillar_id:
            self.strategy_id = self.pillar.strategy_id
        super().derive_place()

    @property
    def root_id(self) -> int:
        """The objective's first version: what links from any version count towards."""
        return self.lineage_id or self.pk


class Indicator(StrategyPart):
    """What is measured for an objective, by every place that reports it, per period."""

    place_follows = ("objective",)
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("objective")
    )
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.CASCADE,
        related_name="indicators",
        editable=False,
        verbose_name=_("strategy"),
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. 2.1.a"))
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(
        _("unit"), max_length=60, blank=True, help_text=_("e.g. people trained, %")
    )
    periodicity = models.CharField(
        _("reported"), max_length=20, choices=Periodicity.choices, default=Periodicity.QUARTERLY
    )
    aggregation = models.CharField(
        _("adds up as"),
        max_length=20,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_(
            "Sum: totals over places and periods. Average: the mean of every value reported. "
            "Latest: each place's most recent value in the period, added over places."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    lineage = _lineage_field()

    class Meta:
        ordering = ["strategy_id", "code", "pk"]
        verbose_name = _("indicator")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"],
                name="indicator_code_unique",
                violation_error_message=_("The strategy already has an indicator with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return record_url("plans:indicator_detail", self.pk)

    def derive_place(self) -> None:
        if self.objective_id:
            self.strategy_id = self.objective.strategy_id
        super().derive_place()

    @property
    def series_id(self) -> int:
        """Values of every version of this indicator form one series."""
        return self.lineage_id or self.pk

    def current_period(self, day: datetime.date | None = None) -> Period:
        return Period.containing(day or timezone.localdate(), self.periodicity)


# --- local plans ---------------------------------------------------------------------------------


class LocalPlanQuerySet(ScopedQuerySet):
    def current_on(self, day: datetime.date):
        """Adopted plans whose period holds ``day``."""
        return self.filter(status=PlanStatus.ADOPTED, starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        )


class LocalPlan(LabelledModel):
    """A place's plan for preventing hate and extremism: priorities > actions."""

    picker_search_field = "title"

    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("owner body"),
        help_text=_("The body that adopts the plan and reports on it"),
    )
    summary = models.TextField(_("summary"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = LocalPlanQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["place_path", "-starts_on", "pk"]
        verbose_name = _("local plan")
        constraints = [
            ends_after_start(
                "starts_on",
                "ends_on",
                name="plan_ends_after_start",
                message=_("A plan cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["place_path", "status"], name="plan_path_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("plans:localplan_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.owner_id and self.place_id:
            owner_path, plan_path = self.owner.place.path, self.place.path
            if not (owner_path.startswith(plan_path) or plan_path.startswith(owner_path)):
                raise ValidationError(
                    {"owner": _("The owner body works elsewhere: choose a body of this place.")}
                )

    def is_current_on(self, day: datetime.date) -> bool:
        return self.status == PlanStatus.ADOPTED and self.starts_on <= day <= self.ends_on


class PlanPart(DerivedPlaceMixin, ScopedModel):
    """A part of a local plan: at its place, visible where the plan is."""

    scope_parent_field = "plan"
    scope_reads_ancestors = True

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def derive_place(self) -> None:
        if self.plan_id:  # type: ignore[attr-defined]
            self.place = self.plan.place  # type: ignore[attr-defined]


class PlanPriority(PlanPart):
    place_follows = ("plan",)

    plan = models.ForeignKey(
        LocalPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["plan_id", "number", "pk"]
        verbose_name = _("plan priority")
        verbose_name_plural = _("plan priorities")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="priority_number_unique",
                violation_error_message=_("The plan already has a priority with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("plans:planpriority_detail", self.pk)


class PlanAction(PlanPart):
    """What a place will do under a priority, for which national objectives, by whom."""

    place_follows = ("priority",)
    picker_search_field = "title"

    priority = models.ForeignKey(
        PlanPriority, on_delete=models.CASCADE, related_name="actions", verbose_name=_("priority")
    )
    plan = models.ForeignKey(
        LocalPlan,
        on_delete=models.CASCADE,
        related_name="actions",
        editable=False,
        verbose_name=_("plan"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("national objectives served"),
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("carried out by"),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PlanActionStatus.choices,
        default=PlanActionStatus.PLANNED,
    )

    class Meta:
        ordering = ["plan_id", "priority_id", "pk"]
        verbose_name = _("plan action")
        constraints = [
            ends_after_start(
                "starts_on",
                "due_on",
                name="planaction_due_after_start",
                message=_("An action cannot be due before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("plans:planaction_detail", self.pk)

    def derive_place(self) -> None:
        if self.priority_id:
            self.plan_id = self.priority.plan_id
        super().derive_place()


# --- local needs -------------------------------------------------------------------------------


class LocalNeedQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_NEED_STATUSES)


def first_handler(place: Place) -> Place:
    """Who answers a need first: the level above the place that raised it (a country's own
    needs stay with the country)."""
    if place.depth >= 2 and place.parent_id:
        return place.parent  # type: ignore[return-value]
    return place


class LocalNeed(LabelledModel):
    """Something a place needs to do its part, raised until a level above answers it."""

    picker_search_field = "title"
    scope_shared_path_field = "handled_path"

    title = models.CharField(_("need"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=NeedCategory.choices)
    description = models.TextField(_("description"), blank=True)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What shows the need: figures, incidents, reports")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.RAISED
    )
    handled_at = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("with"),
        help_text=_("The level that answers it now"),
    )
    handled_path = PathField(editable=False, db_index=True)
    answer_kind = models.CharField(
        _("answered with"), max_length=20, choices=AnswerKind.choices, blank=True
    )
    answer_title = models.CharField(
        _("answer"), max_length=200, blank=True, help_text=_("The programme, call or course")
    )
    answer_url = models.URLField(_("link"), blank=True)
    answer_text = models.TextField(_("what the answer says"), blank=True)
    # The record that answers it, when the answer is on the platform (a fund's call, a
    # course, a knowledge item): any module's record, named to readers who may see it.
    answer_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("answered by a record of kind"),
    )
    answer_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    answer_record = GenericForeignKey("answer_type", "answer_id")
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    support_count = models.PositiveIntegerField(_("places sharing it"), default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = LocalNeedQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("local need")
        indexes = [
            models.Index(fields=["place_path", "status"], name="need_path_status"),
            models.Index(fields=["handled_path", "status"], name="need_handler_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("plans:localneed_detail", self.pk)

    def full_clean(self, *args, **kwargs):
        self.derive_handler()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.derive_handler()
        super().save(*args, **kwargs)

    def derive_handler(self) -> None:
        """A new need goes before the level above its place; the path follows the handler."""
        if not self.handled_at_id and self.place_id:
            self.handled_at = first_handler(self.place)
        if self.handled_at_id:
            self.handled_path = self.handled_at.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NEED_STATUSES

    def age_on(self, day: datetime.date) -> int:
        """Days since it was raised (until it closed, for a closed need)."""
        end = self.closed_on or day
        return max(0, (end - timezone.localtime(self.created_at).date()).days)


class NeedPart(ScopedModel):
    """A part of a need: visible only where the need is (and where its own place allows)."""

    scope_parent_field = "need"
    scope_reads_ancestors = True

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True


class NeedReferral(DerivedPlaceMixin, NeedPart, ReferralStep):
    """One step of a need up the tree: from which level to which, why, by whom."""

    place_follows = ("need",)

    need = models.ForeignKey(
        LocalNeed, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("need")
    )

    class Meta:
        ordering = ["need_id", "created_at", "pk"]
        verbose_name = _("need referral")

    def __str__(self) -> str:
        return _("%(need)s passed up") % {"need": self.need}

    def get_absolute_url(self) -> str:
        return record_url("plans:needreferral_detail", self.pk)

    def derive_place(self) -> None:
        if self.need_id:
            self.place = self.need.place


def supports_from_outside(need: LocalNeed, place: Place) -> bool:
    """Whether ``place`` may share ``need``: it lies neither inside the raising place (its
    own wards) nor on the way up (the levels that answer it)."""
    raised = need.place.path
    return not (place.path.startswith(raised) or raised.startswith(place.path))


class NeedSupport(NeedPart):
    """Another place saying it shares a need. It lives at the supporting place; the need's
    own page counts every support (``LocalNeed.support_count``)."""

    need = models.ForeignKey(
        LocalNeed, on_delete=models.CASCADE, related_name="supports", verbose_name=_("need")
    )
    note = models.TextField(_("how it affects us"), blank=True)

    class Meta:
        ordering = ["need_id", "place_path", "pk"]
        verbose_name = _("need support")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "place"],
                name="need_support_once",
                violation_error_message=_("This place already shares the need."),
            )
        ]

    def __str__(self) -> str:
        return _("Support for %(need)s") % {"need": self.need}

    def get_absolute_url(self) -> str:
        return record_url("plans:needsupport_detail", self.pk)

    def clean(self) -> None:
        if self.need_id and self.place_id and not supports_from_outside(self.need, self.place):
            raise ValidationError(
                {
                    "place": _(
                        "Another place shares a need: not the one that raised it, "
                        "nor a place inside it or above it."
                    )
                }
            )


# --- indicator values and their approval ---------------------------------------------------------


class IndicatorValue(RolledUpModel):
    """A value of an indicator, reported by a place for one period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    series = models.PositiveIntegerField(editable=False, db_index=False)
    period_start = models.DateField(_("period"), editable=False)
    periodicity = models.CharField(max_length=20, choices=Periodicity.choices, editable=False)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator_id", "place_path", "period_start", "pk"]
        verbose_name = _("indicator value")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "place", "period_start"],
                name="indicator_value_once",
                violation_error_message=_("This place already reported this period."),
            )
        ]
        indexes = [
            models.Index(fields=["series", "ancestor_1", "period_start"], name="value_at_1"),
            models.Index(fields=["series", "ancestor_2", "period_start"], name="value_at_2"),
            models.Index(fields=["series", "ancestor_3", "period_start"], name="value_at_3"),
            models.Index(fields=["series", "ancestor_4", "period_start"], name="value_at_4"),
            models.Index(fields=["series", "ancestor_5", "period_start"], name="value_at_5"),
            models.Index(fields=["place_path", "period_start"], name="value_path_period"),
            # each place's latest value of a series (the "latest" rule)
            models.Index(fields=["series", "place", "period_start"], name="value_series_place"),
        ]

    def __str__(self) -> str:
        # Never the indicator: a place's value can be read where its strategy cannot.
        return _("Value for %(period)s") % {"period": self.period}

    def get_absolute_url(self) -> str:
        return record_url("plans:indicatorvalue_detail", self.pk)

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.periodicity)

    def derive_series(self) -> None:
        if self.indicator_id:
            self.series = self.indicator.series_id
            self.periodicity = self.indicator.periodicity

    def full_clean(self, *args, **kwargs):
        self.derive_series()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.derive_series()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.period_start and self.periodicity:
            aligned = Period.containing(self.period_start, self.periodicity).start
            if aligned != self.period_start:
                raise ValidationError(
                    {"period_start": _("A period starts on the first day of its month.")}
                )
        if isinstance(self.value, Decimal) and not self.value.is_finite():
            raise ValidationError({"value": _("Enter a number.")})


class Approval(ScopedModel):
    """A place signing off its values of a strategy's indicators for a period: the values in
    its subtree for that period are locked until the approval is withdrawn."""

    scope_reads_ancestors = True  # a city sees that its district has signed off

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("strategy")
    )
    period_start = models.DateField(_("period"))
    periodicity = models.CharField(_("period kind"), max_length=20, choices=Periodicity.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-period_start", "place_path", "pk"]
        verbose_name = _("approval")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "place", "periodicity", "period_start"],
                name="approval_once",
                violation_error_message=_("This period is already approved here."),
            )
        ]
        indexes = [
            models.Index(fields=["strategy", "period_start", "place_path"], name="approval_find")
        ]

    def __str__(self) -> str:
        return _("%(place)s approved %(period)s") % {"place": self.place, "period": self.period}

    def get_absolute_url(self) -> str:
        return record_url("plans:approval_detail", self.pk)

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.periodicity)
