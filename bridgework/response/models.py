"""Reports of hate incidents and tensions, weekly tension assessments and alert rules.

These are the most sensitive records of Bridgework. A report lives at the place where it
happened (down to a ward) and is AMBER unless its coordinators decide otherwise; what it says
about people is kept apart from what happened (``reporter_name``, ``reporter_contact``,
``people_involved``), so anonymising a report empties exactly those fields. Whoever submits
a report need not be able to read it back: a partner (GREEN) reports an AMBER incident and
is given its reference, not its page.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bridgework.bodies.models import ActionItem, Body, DerivedPlaceMixin, Meeting, PartQuerySet
from bridgework.core.tlp import TLP
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, Place, RolledUpModel, ScopedModel

from .choices import (
    BiasScheme,
    CrisisStatus,
    EvidenceType,
    Reliability,
    ReportKind,
    ReportSource,
    ReportStatus,
    UpdateKind,
)

__all__ = [
    "AlertRule",
    "BiasCategory",
    "Crisis",
    "CrisisUpdate",
    "Report",
    "TensionAssessment",
    "TensionLevel",
    "iso_week_start",
]

SEVERITY = [MinValueValidator(1), MaxValueValidator(5)]


def iso_week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


class BiasCategory(models.Model):
    """A bias motivation a report can name (ODIHR list, UK strands, or a country's own).

    ``country`` empty: offered everywhere; set: offered only for reports in that country."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    scheme = models.CharField(_("scheme"), max_length=20, choices=BiasScheme.choices)
    country = models.ForeignKey(
        Place,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
        limit_choices_to={"depth": 1},
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scheme", "order", "name"]
        verbose_name = _("bias category")
        verbose_name_plural = _("bias categories")

    def __str__(self) -> str:
        # Seeded names are marked with gettext_noop (reference.py); a renamed one stays as is.
        return gettext(self.name)


class Report(LabelledModel):
    """A report of a hate incident or crime, a tension, propaganda or a threat to cohesion."""

    picker_search_field = "title"

    tlp = models.PositiveSmallIntegerField(
        _("sensitivity"),
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("Traffic Light Protocol label: who may read this report"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    title = models.CharField(
        _("summary"), max_length=200, help_text=_("What happened, in a line, without names")
    )
    occurred_on = models.DateField(_("date it happened"))
    description = models.TextField(
        _("what happened"),
        help_text=_("Describe the incident; put names and contacts only in the fields below"),
    )
    bias_categories = models.ManyToManyField(
        BiasCategory, blank=True, related_name="reports", verbose_name=_("bias motivation")
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), validators=SEVERITY, help_text=_("1 (low) to 5 (critical)")
    )
    intent = models.BooleanField(_("deliberate intent to harm"), default=False)
    physical_contact = models.BooleanField(_("physical contact or violence"), default=False)
    damage = models.BooleanField(_("damage to property"), default=False)
    community_reaction = models.BooleanField(_("wider community reaction"), default=False)
    repeat = models.BooleanField(_("repeat of an earlier incident"), default=False)
    source = models.CharField(_("source"), max_length=20, choices=ReportSource.choices)
    reliability = models.CharField(
        _("source reliability"), max_length=1, choices=Reliability.choices, default=Reliability.F
    )
    evidence = models.CharField(
        _("evidence"), max_length=20, choices=EvidenceType.choices, default=EvidenceType.EXPERIENCED
    )
    # Personal data, kept apart and emptied when the report is anonymised.
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_contact = models.CharField(
        _("reporter's contact"),
        max_length=200,
        blank=True,
        help_text=_("Only if the reporter agrees to be called back"),
    )
    people_involved = models.TextField(_("people involved"), blank=True)
    routed_to = models.ManyToManyField(
        Body,
        blank=True,
        related_name="routed_reports",
        verbose_name=_("mandated responders"),
        help_text=_("The bodies this report is routed to for a response"),
    )
    sharing_permission = models.CharField(
        _("originator's permission to share further"),
        max_length=300,
        blank=True,
        help_text=_("Who agreed, and when, that the report may go beyond its label"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    second_severity = models.PositiveSmallIntegerField(
        _("second coder's severity"), null=True, blank=True, editable=False, validators=SEVERITY
    )
    second_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("second coder"),
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    retain_until = models.DateField(_("kept until"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=5),
                name="report_severity_1_to_5",
                violation_error_message=_("Severity runs from 1 to 5."),
            ),
        ]
        indexes = [
            models.Index(fields=["place_path", "status"], name="report_path_status"),
            models.Index(fields=["retain_until"], name="report_retain_until"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("response:report_detail", self.pk)

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "R-new"

    @property
    def factors(self) -> list[str]:
        """The severity factors present, in words."""
        names = ("intent", "physical_contact", "damage", "community_reaction", "repeat")
        fields = {field.name: field for field in self._meta.concrete_fields}
        return [str(fields[name].verbose_name) for name in names if getattr(self, name)]

    @property
    def suggested_severity(self) -> int:
        """1 plus one for each factor present, at most 5: a guide for the coder, not a rule."""
        return min(5, 1 + len(self.factors))

    @property
    def coders_disagree(self) -> bool:
        return self.second_severity is not None and self.second_severity != self.severity

    def retention_days(self) -> int:
        from .conf import retention_days

        return retention_days(self.kind)


class TensionLevel(models.Model):
    """One step of the tension scale (configurable: names, number of steps)."""

    value = models.PositiveSmallIntegerField(_("value"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["value"]
        verbose_name = _("tension level")

    def __str__(self) -> str:
        return f"{self.value} – {gettext(self.name)}"


class TensionAssessment(RolledUpModel, LabelledModel):
    """A place's weekly tension return: its level, the evidence and what triggered it."""

    tlp = models.PositiveSmallIntegerField(
        _("sensitivity"),
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("Traffic Light Protocol label: who may read this assessment"),
    )
    week_start = models.DateField(_("week (Monday)"))
    level = models.ForeignKey(
        TensionLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("level")
    )
    title = models.CharField(_("headline"), max_length=200)
    evidence = models.TextField(_("evidence"), blank=True)
    trigger_local = models.BooleanField(_("local trigger"), default=False)
    trigger_national = models.BooleanField(_("national trigger"), default=False)
    trigger_international = models.BooleanField(_("international trigger"), default=False)
    triggers = models.TextField(_("triggers"), blank=True, help_text=_("What is driving it"))
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["-week_start", "place_path", "pk"]
        verbose_name = _("tension assessment")
        constraints = [
            models.UniqueConstraint(
                fields=["place", "week_start"],
                name="tension_one_per_place_week",
                violation_error_message=_("This place already has an assessment for that week."),
            ),
            models.CheckConstraint(
                condition=Q(week_start__week_day=2),
                name="tension_week_starts_monday",
                violation_error_message=_("A week starts on a Monday."),
            ),
        ]
        indexes = [models.Index(fields=["ancestor_1", "week_start"], name="tension_country_week")]

    def __str__(self) -> str:
        return f"{self.title} ({self.week_label})"

    def get_absolute_url(self) -> str:
        return record_url("response:tensionassessment_detail", self.pk)

    @property
    def week_label(self) -> str:
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    def save(self, *args, **kwargs):
        if self.week_start:
            self.week_start = iso_week_start(self.week_start)
        super().save(*args, **kwargs)


class AlertRule(LabelledModel):
    """Tell a body or a person of reports at or below a place, of a kind, from a severity;
    and, when ``tension_from`` is set, of a week's tension return there reaching that level."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=30, choices=ReportKind.choices, blank=True, help_text=_("Empty: any")
    )
    bias_category = models.ForeignKey(
        BiasCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bias motivation"),
        help_text=_("Empty: any"),
    )
    min_severity = models.PositiveSmallIntegerField(
        _("from severity"), default=3, validators=SEVERITY
    )
    tension_from = models.ForeignKey(
        TensionLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tension from"),
        help_text=_(
            "Also alert when a week's tension return at or below the place reaches this level "
            "(empty: reports only)"
        ),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_alert_rules",
        verbose_name=_("body to alert"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user to alert"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["place_path", "name", "pk"]
        verbose_name = _("alert rule")
        constraints = [
            models.CheckConstraint(
                condition=Q(body__isnull=False) | Q(person__isnull=False),
                name="alert_rule_has_recipient",
                violation_error_message=_("Name a body or a user to alert."),
            ),
            models.CheckConstraint(
                condition=Q(min_severity__gte=1, min_severity__lte=5),
                name="alert_rule_severity_1_to_5",
                violation_error_message=_("Severity runs from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("response:alertrule_detail", self.pk)


class Crisis(LabelledModel):
    """A crisis: when an event raises tension, it joins the reports and assessments, keeps a
    situation log, gives tasks (the coordinating body's action items), convenes the body, and
    closes with an after-action review whose corrective actions become action items."""

    picker_search_field = "title"

    tlp = models.PositiveSmallIntegerField(
        _("sensitivity"),
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("Traffic Light Protocol label: who may read this crisis"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="crises",
        verbose_name=_("coordinating body"),
        help_text=_("The body that convenes, gives the tasks and owns the review"),
    )
    started_on = models.DateField(_("started"))
    trigger = models.TextField(_("what set it off"), blank=True)
    reports = models.ManyToManyField(
        Report, blank=True, related_name="crises", verbose_name=_("reports")
    )
    assessments = models.ManyToManyField(
        TensionAssessment, blank=True, related_name="crises", verbose_name=_("tension assessments")
    )
    tasks = models.ManyToManyField(
        ActionItem, blank=True, related_name="crisis_tasks", editable=False, verbose_name=_("tasks")
    )
    convening = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("convening"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CrisisStatus.choices, default=CrisisStatus.OPEN
    )
    strengths = models.TextField(_("strengths"), blank=True, editable=False)
    improvements = models.TextField(_("areas for improvement"), blank=True, editable=False)
    root_cause = models.TextField(_("root cause"), blank=True, editable=False)
    corrective_actions = models.ManyToManyField(
        ActionItem,
        blank=True,
        related_name="crisis_corrections",
        editable=False,
        verbose_name=_("corrective actions"),
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        indexes = [models.Index(fields=["place_path", "status"], name="crisis_path_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("response:crisis_detail", self.pk)


class CrisisUpdate(DerivedPlaceMixin, ScopedModel):
    """One line of a crisis's situation log, or a message given to the public."""

    scope_parent_field = "crisis"
    scope_reads_ancestors = True
    place_follows = ("crisis",)

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="updates", verbose_name=_("crisis")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=UpdateKind.choices, default=UpdateKind.SITUATION
    )
    text = models.TextField(_("text"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("posted by"),
    )

    objects = PartQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("crisis update")

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return record_url("response:crisisupdate_detail", self.pk)

    def derive_place(self) -> None:
        if self.crisis_id:
            self.place = self.crisis.place
