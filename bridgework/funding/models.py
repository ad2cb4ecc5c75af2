"""Funds, their calls, the applications to them, reviews, and the grants they become.

Where each record lives (its place decides who reaches it, as everywhere):

* a **fund** at the place of the body that owns it (a national centre: the country); a
  **call** is part of its fund, at the same place, under its label;
* an **application** at the place of the organisation that applies, so the applicant's own
  coordinators and the fund's staff above it reach it, and neighbours do not (it does not
  read upward: a ward's partner does not see its city's applications);
* a **review**, a **grant** and the grant's **tranches** and **reports** are parts of the
  application (or grant), at its place, visible only where it is.

A grant is both the award (amount, years, tranches) and the funded project (its reports and
its status through to closing): one record, as 360Giving publishes a grant.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.actors.models import Organisation, Theme
from bridgework.bodies.models import Body, DerivedPlaceMixin, PartQuerySet
from bridgework.core.models import ends_after_start
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, Place, ScopedModel
from bridgework.plans.choices import Aggregation
from bridgework.plans.models import Indicator, LocalNeed, Objective, PlanAction

from .budgets import (
    MAX_YEARS,
    add_years,
    budget_total,
    check_budget,
    report_periods,
    weighted_score,
)
from .choices import (
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    GrantStatus,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    TrancheStatus,
)

__all__ = [
    "Application",
    "Call",
    "Fund",
    "Grant",
    "GrantIndicator",
    "Report",
    "Result",
    "Review",
    "Tranche",
]


def _check_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a time zone (e.g. America/Toronto).") % {"value": value}
        ) from None


# Roles whose reach over applications is narrower than their place (issue 9). A reviewer
# sees, at the places of their role, only the applications assigned to them, never a draft
# (and so only those applications' reviews: a part follows its application). The rule
# lives in the querysets, so pages, API, counts and ``permits`` give one answer.
ASSIGNED_ONLY_ROLES = frozenset({"reviewer"})
# An applicant's people (partners) see and change, at the places of their role, only the
# applications of organisations where they hold a current post, as applicant or co-applicant:
# never a competitor's. Local coordinators keep seeing every application at their place.
OWN_ORGANISATION_ROLES = frozenset({"partner"})


class RoleNarrowedQuerySet(ScopedQuerySet):
    """The policy's place and label scope, with a further condition per role (``narrowing``):
    the grants of each condition are turned into SQL apart and OR-ed, so a user holding a
    broader role elsewhere keeps what that role gives."""

    def narrowing(self, role_slug: str, action: str, user) -> Q | None:
        """The extra condition a grant of ``role_slug`` carries for ``action``; None: none."""
        return None

    def visible_to(self, user, action: str = "view"):
        from bridgework.access.policy import access_for, model_label
        from bridgework.core.scoping import Grant as PathGrant
        from bridgework.core.scoping import Scope

        access = access_for(user)
        if access is None:
            return super().visible_to(user, action)
        groups: dict[str, tuple[Q | None, list]] = {}
        for held, path in access.grants(action, model_label(self.model)):
            condition = self.narrowing(held.role_slug, action, user)
            key = str(condition)
            groups.setdefault(key, (condition, []))[1].append(PathGrant(path, held.ceiling))
        if not groups or all(condition is None for condition, _ in groups.values()):
            return super().visible_to(user, action)
        tlp_field = getattr(self.model, "scope_tlp_field", None)
        wanted = Q(pk__in=[])
        for condition, grants in groups.values():
            # These models read no ancestors (scope_reads_ancestors = False).
            where = Scope(tuple(grants)).as_q(self.model.scope_path_field, tlp_field)  # type: ignore[attr-defined]
            wanted |= where & condition if condition is not None else where
        return self.filter(wanted)


class ApplicationQuerySet(RoleNarrowedQuerySet):
    def assignable_to(self, reviewer):
        """Applications ``reviewer`` may be given: submitted, and at a place and label their
        role reads (what they would see once assigned)."""
        return ScopedQuerySet.visible_to(self, reviewer, "view").exclude(
            status=ApplicationStatus.DRAFT
        )

    def narrowing(self, role_slug: str, action: str, user) -> Q | None:
        if role_slug in ASSIGNED_ONLY_ROLES:
            assigned = Review.objects.filter(application=models.OuterRef("pk"), reviewer=user)
            return Q(models.Exists(assigned)) & ~Q(status=ApplicationStatus.DRAFT)
        if role_slug in OWN_ORGANISATION_ROLES:
            return applied_by_organisations_of(user)
        return None


def applied_by_organisations_of(user) -> Q:
    """Applications whose applicant or a co-applicant is an organisation where ``user``
    holds a current post."""
    from bridgework.bodies.selectors import organisation_ids_of_user

    organisations = organisation_ids_of_user(user, timezone.localdate())
    co_applying = Application.co_applicants.through.objects.filter(
        application_id=models.OuterRef("pk"), organisation_id__in=organisations
    )
    return Q(organisation_id__in=organisations) | Q(models.Exists(co_applying))


class Fund(DerivedPlaceMixin, LabelledModel):
    """A national funding programme: its owner body, budget by year, where it may fund, the
    themes and sectors it funds and the national objectives it serves."""

    place_follows = ("owner",)
    picker_search_field = "name"

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="funds",
        verbose_name=_("owner body"),
        help_text=_("The body that runs the fund and decides its grants"),
    )
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CAD")
    time_zone = models.CharField(
        _("time zone"),
        max_length=60,
        default="UTC",
        validators=[_check_time_zone],
        help_text=_("Calls open and close in this time zone (e.g. America/Toronto)"),
    )
    budget = models.JSONField(_("budget by year"), default=dict, blank=True)
    eligible_places = models.ManyToManyField(
        Place,
        blank=True,
        related_name="+",
        verbose_name=_("eligible places"),
        help_text=_("Organisations in these places and below may apply; none: the fund's place"),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="funds", verbose_name=_("themes")
    )
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="funds", verbose_name=_("national objectives served")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("funding:fund_detail", self.pk)

    def derive_place(self) -> None:
        if self.owner_id:
            self.place = self.owner.place

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def budget_total(self) -> Decimal:
        return budget_total(self.budget)

    def eligible_paths(self) -> list[str]:
        paths = [place.path for place in self.eligible_places.all()]
        return paths or [self.place.path]

    def is_eligible(self, place: Place) -> bool:
        return any(place.path.startswith(path) for path in self.eligible_paths())


class FundPart(DerivedPlaceMixin, ScopedModel):
    """A part of a fund: at its place, visible where the fund is."""

    scope_parent_field = "fund"
    scope_reads_ancestors = True

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def derive_place(self) -> None:
        if self.fund_id:  # type: ignore[attr-defined]
            self.place = self.fund.place  # type: ignore[attr-defined]


class Call(FundPart):
    """A round of a fund: when it takes applications (in the fund's time zone), how they are
    weighed (criteria with weights), what the form asks, and the largest grant and term."""

    place_follows = ("fund",)
    picker_search_field = "title"

    fund = models.ForeignKey(
        Fund, on_delete=models.CASCADE, related_name="calls", verbose_name=_("fund")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), help_text=_("The deadline for submission"))
    max_amount = models.DecimalField(
        _("largest grant"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    max_years = models.PositiveSmallIntegerField(
        _("longest term (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_YEARS)],
    )
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    questions = models.JSONField(_("questions"), default=list, blank=True)

    class Meta:
        ordering = ["-closes_at", "pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
                violation_error_message=_("A call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(max_years__gte=1, max_years__lte=MAX_YEARS),
                name="call_term_at_most_ten_years",
                violation_error_message=_("A grant runs from one to ten years."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("funding:call_detail", self.pk)

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` on the fund's clock."""
        return timezone.localtime(moment, self.fund.zone)


class Application(DerivedPlaceMixin, LabelledModel):
    """An organisation's application to a call, from draft to decision."""

    place_follows = ("organisation",)
    picker_search_field = "title"
    scope_reads_ancestors = False  # a ward's partners do not read their city's applications

    objects = ApplicationQuerySet.as_manager()  # type: ignore[misc]

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant organisation"),
    )
    co_applicants = models.ManyToManyField(
        Organisation, blank=True, related_name="co_applications", verbose_name=_("co-applicants")
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    amount = models.DecimalField(
        _("amount asked"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    starts_on = models.DateField(_("starts"))
    years = models.PositiveSmallIntegerField(
        _("term (years)"), default=1, validators=[MinValueValidator(1)]
    )
    budget = models.JSONField(_("budget by year"), default=dict, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="applications",
        verbose_name=_("national objectives addressed"),
    )
    needs = models.ManyToManyField(
        LocalNeed, blank=True, related_name="applications", verbose_name=_("local needs addressed")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision"), blank=True, editable=False)
    # What the application said each time it was sent back for more information.
    revisions = models.JSONField(_("earlier versions"), default=list, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"],
                condition=Q(status__in=LIVE_APPLICATION_STATUSES),
                name="application_once_per_call",
                violation_error_message=_(
                    "This organisation has already submitted an application to this call."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["place_path", "status"], name="application_path_status"),
            models.Index(fields=["call", "status"], name="application_call_status"),
            # The staff list's page of keys (newest first, within the reader's subtree and
            # label) from the index alone: 20,000 narrow entries sorted, no row read.
            models.Index(
                fields=["place_path", "tlp", "created_at", "id"], name="application_scope_newest"
            ),
            # The same page for a reader who sees most of them, read in order: the first 51
            # entries of the reader's, on PostgreSQL by its own choice, on SQLite by the
            # bounded scan of ``web.pagination`` (docs/benchmarks-funding.md).
            models.Index(
                fields=["-created_at", "id", "place_path", "tlp"], name="application_newest"
            ),
            # The pipeline's counts and sums by call and state, from the index alone too.
            models.Index(
                fields=["place_path", "tlp", "call", "status", "amount"],
                name="application_scope_pipeline",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("funding:application_detail", self.pk)

    def derive_place(self) -> None:
        if self.organisation_id:
            self.place = self.organisation.place

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.call_id and self.amount is not None and self.amount > self.call.max_amount:
            errors.setdefault("amount", []).append(
                _("The call funds at most %(max)s.") % {"max": self.call.max_amount}
            )
        if self.call_id and self.years and self.years > self.call.max_years:
            errors.setdefault("years", []).append(
                _("The call funds projects of at most %(n)s years.") % {"n": self.call.max_years}
            )
        if (
            self.call_id
            and self.organisation_id
            and not self.call.fund.is_eligible(self.organisation.place)
        ):
            errors.setdefault("organisation", []).append(
                _("%(place)s is not among the places this fund may fund.")
                % {"place": self.organisation.place}
            )
        if self.amount is not None and self.starts_on and self.years and not errors:
            try:
                check_budget(
                    self.budget,
                    amount=self.amount,
                    first_year=self.starts_on.year,
                    years=self.years,
                )
            except ValidationError as exc:
                errors.setdefault("budget", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    @property
    def ends_on(self) -> datetime.date:
        return add_years(self.starts_on, self.years) - datetime.timedelta(days=1)

    def missing_answers(self) -> list[str]:
        """The labels of the call's required questions this application leaves empty."""
        return [
            field["label"]
            for field in self.call.questions
            if field.get("required") and not str(self.answers.get(field["key"], "")).strip()
        ]


class ApplicationPart(DerivedPlaceMixin, ScopedModel):
    """A part of an application: at its place, visible only where the application is."""

    scope_parent_field = "application"
    scope_reads_ancestors = False

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def derive_place(self) -> None:
        if self.application_id:  # type: ignore[attr-defined]
            self.place = self.application.place  # type: ignore[attr-defined]


class Review(ApplicationPart):
    """A reviewer's assessment of an application: a conflict of interest declared, or a score
    per criterion of the call (0–5) with comments."""

    place_follows = ("application",)

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="funding_reviews",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True, editable=False)
    comment = models.TextField(_("comments"), blank=True, editable=False)
    conflict_note = models.TextField(_("conflict of interest"), blank=True, editable=False)
    score = models.DecimalField(
        _("weighted score"), max_digits=4, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["application_id", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="review_once_per_reviewer",
                violation_error_message=_("This reviewer is already assigned to it."),
            )
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="review_queue")]

    def __str__(self) -> str:
        return _("Review of %(application)s") % {"application": self.application}

    def get_absolute_url(self) -> str:
        return record_url("funding:review_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if isinstance(self.scores, str):  # the API's transition takes them as JSON text
            try:
                self.scores = json.loads(self.scores)
            except ValueError:
                raise ValidationError({"scores": _("Give the scores as a JSON object.")}) from None
        if not isinstance(self.scores, dict):
            raise ValidationError({"scores": _("Give the scores as a JSON object.")})
        if self.status == ReviewStatus.SUBMITTED and self.application_id:
            criteria = self.application.call.criteria
            errors = {}
            for criterion in criteria:
                value = self.scores.get(criterion["key"])
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5:
                    errors[criterion["key"]] = criterion["name"]
            if errors:
                raise ValidationError(
                    {
                        "scores": _("Score every criterion from 0 to 5: %(names)s.")
                        % {"names": ", ".join(errors.values())}
                    }
                )
            self.score = weighted_score(criteria, self.scores)


class Grant(ApplicationPart):
    """The award made on an approved application and the project it funds."""

    place_follows = ("application",)
    # A fund awards a few of its applications: each grant's application is asked about
    # rather than listing every application the reader sees (``PartQuerySet``).
    scope_parent_per_part = True

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="grant", verbose_name=_("application")
    )
    amount = models.DecimalField(
        _("amount awarded"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    starts_on = models.DateField(_("starts"))
    years = models.PositiveSmallIntegerField(
        _("term (years)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_YEARS)]
    )
    report_every_months = models.PositiveSmallIntegerField(
        _("report every (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    plan_actions = models.ManyToManyField(
        PlanAction,
        blank=True,
        related_name="grants",
        verbose_name=_("local plan actions funded"),
        help_text=_("The actions of local plans this grant carries out"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    awarded_on = models.DateField(_("awarded on"), default=datetime.date.today, editable=False)
    # The last day its people were reminded of an overdue report (at most once a week).
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The last day of its earliest report period with no report filed (a returned report
    # does not count), null when every period has one: what is due or overdue is then an
    # index range instead of every grant's periods worked out (issue 9). Bookkeeping kept by
    # the funding actions and the report workflow (``refresh_next_report``), never typed in.
    next_report_period_end = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [
            models.Index(fields=["place_path", "status"], name="grant_path_status"),
            # Grants under way whose next report period ended before a day: overdue, due.
            models.Index(fields=["status", "next_report_period_end"], name="grant_next_report"),
        ]

    def __str__(self) -> str:
        return _("Grant for %(application)s") % {"application": self.application}

    def get_absolute_url(self) -> str:
        return record_url("funding:grant_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if not self.application_id:
            return
        errors: dict[str, Any] = {}
        if self._state.adding and self.application.status != ApplicationStatus.APPROVED:
            errors["application"] = _("Only an approved application is awarded a grant.")
        call = self.application.call
        if self.amount is not None and self.amount > call.max_amount:
            errors["amount"] = _("The call funds at most %(max)s.") % {"max": call.max_amount}
        if self.years and self.years > call.max_years:
            errors["years"] = _("The call funds projects of at most %(n)s years.") % {
                "n": call.max_years
            }
        if errors:
            raise ValidationError(errors)

    @property
    def ends_on(self) -> datetime.date:
        return add_years(self.starts_on, self.years) - datetime.timedelta(days=1)

    def report_periods(self) -> list[tuple[datetime.date, datetime.date]]:
        """The reporting periods of the grant, every ``report_every_months`` from its start."""
        return report_periods(self.starts_on, self.years, self.report_every_months)


class GrantPart(DerivedPlaceMixin, ScopedModel):
    """A part of a grant (a tranche, a report): at its place, visible only where the grant's
    application is (the labelled record above them, copied here so one filter decides)."""

    scope_parent_field = "application"
    scope_reads_ancestors = False
    scope_parent_per_part = True  # a grant's parts are few beside the applications, as grants

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name=_("application"),
    )

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def derive_place(self) -> None:
        if self.grant_id:  # type: ignore[attr-defined]
            self.application_id = self.grant.application_id  # type: ignore[attr-defined]
            self.place = self.grant.place  # type: ignore[attr-defined]


class Report(GrantPart):
    """A progress or financial report on a grant for one period."""

    place_follows = ("grant",)

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="reports", verbose_name=_("grant")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.PROGRESS
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    text = models.TextField(_("what was done"))
    spent = models.DecimalField(
        _("spent in the period"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=14,
        decimal_places=2,
    )
    unlocks = models.ForeignKey(
        "Tranche",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("unlocks tranche"),
        help_text=_("The tranche released once this report is accepted"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )

    class Meta:
        ordering = ["grant_id", "period_start", "pk"]
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        constraints = [
            ends_after_start(
                "period_start",
                "period_end",
                name="report_period_ends_after_start",
                message=_("A period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s %(start)s – %(end)s") % {
            "kind": self.get_kind_display(),
            "start": self.period_start,
            "end": self.period_end,
        }

    def get_absolute_url(self) -> str:
        return record_url("funding:report_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.unlocks is not None and self.grant_id and self.unlocks.grant_id != self.grant_id:
            raise ValidationError({"unlocks": _("Choose a tranche of the same grant.")})
        if self.kind == ReportKind.FINANCIAL and self.spent is None:
            raise ValidationError({"spent": _("A financial report says what was spent.")})


class Tranche(GrantPart):
    """One payment of a grant's schedule. The first is released on award; each later one once
    a report that unlocks it is accepted."""

    place_follows = ("grant",)

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="tranches", verbose_name=_("grant")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(
        _("amount"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED
    )
    released_on = models.DateField(_("released on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["grant_id", "number", "pk"]
        # The disbursement schedule: the next planned tranches, by due date.
        indexes = [models.Index(fields=["status", "due_on"], name="tranche_status_due")]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "number"],
                name="tranche_number_unique",
                violation_error_message=_("The grant already has a tranche with this number."),
            )
        ]

    def __str__(self) -> str:
        return _("Tranche %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return record_url("funding:tranche_detail", self.pk)

    def report_accepted(self) -> bool:
        return self.number == 1 or self.reports.filter(status=ReportStatus.ACCEPTED).exists()


def _check_not_negative(indicator: Indicator, value: Decimal | None) -> str | None:
    """Why ``value`` cannot be a figure of ``indicator``: counts and levels (added up as a sum
    or a latest value) are never below zero; an average (a change score) may be."""
    if value is None or value >= 0 or indicator.aggregation == Aggregation.AVERAGE:
        return None
    return _("%(indicator)s cannot be negative.") % {"indicator": indicator}


class GrantIndicator(GrantPart):
    """An indicator of the national plans a grant's project reports against, with the target
    it aims for over its term (in the indicator's unit)."""

    place_follows = ("grant",)

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("grant")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="grant_targets",
        verbose_name=_("indicator"),
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["grant_id", "pk"]
        verbose_name = _("indicator tracked")
        verbose_name_plural = _("indicators tracked")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "indicator"],
                name="grant_indicator_once",
                violation_error_message=_("The grant already tracks this indicator."),
            )
        ]

    def __str__(self) -> str:
        # Names no related record (a reader may not see the indicator).
        return _("Indicator target: %(target)s") % {"target": self.target}

    def get_absolute_url(self) -> str:
        return record_url("funding:grantindicator_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.indicator_id and (why := _check_not_negative(self.indicator, self.target)):
            raise ValidationError({"target": why})


class Result(GrantPart):
    """The value a progress report gives for one indicator its grant tracks, for the report's
    period."""

    place_follows = ("report",)

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="results", verbose_name=_("report")
    )
    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("grant")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="grant_results",
        verbose_name=_("indicator"),
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["report_id", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"],
                name="result_once_per_report",
                violation_error_message=_("This report already gives a value for this indicator."),
            )
        ]

    def __str__(self) -> str:
        return _("Result of %(report)s: %(value)s") % {"report": self.report, "value": self.value}

    def get_absolute_url(self) -> str:
        return record_url("funding:result_detail", self.pk)

    def derive_place(self) -> None:
        if self.report_id:
            self.grant_id = self.report.grant_id
            self.application_id = self.report.grant.application_id
            self.place_id = self.report.grant.place_id

    def clean(self) -> None:
        super().clean()
        if not (self.report_id and self.indicator_id):
            return
        if self.report.kind != ReportKind.PROGRESS:
            raise ValidationError({"report": _("Results are given in a progress report.")})
        tracked = GrantIndicator.objects.filter(
            grant_id=self.report.grant_id, indicator_id=self.indicator_id
        ).exists()
        if not tracked:
            raise ValidationError(
                {"indicator": _("The grant does not report against this indicator.")}
            )
        if why := _check_not_negative(self.indicator, self.value):
            raise ValidationError({"value": why})
