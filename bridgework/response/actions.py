"""Every write of the response module: receiving a report (from staff, partners or the
public), changing it, the second coder's review, alerts and the retention job."""

from __future__ import annotations

import datetime
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.access.policy import can, permits_add
from bridgework.activity.workflows import do_transition
from bridgework.bodies.actions import do_create_action_item
from bridgework.bodies.models import ActionItem, Meeting
from bridgework.core.actions import do_create_record, do_update_record, ensure_in_scope
from bridgework.core.events import record_event
from bridgework.core.tlp import TLP
from bridgework.notifications.actions import notify

from .choices import ReportSource
from .conf import deleted_kinds
from .models import AlertRule, Crisis, CrisisUpdate, Report, TensionAssessment
from .notifications import ALERT, REPORT_RECEIVED, TENSION_ALERT, body_members, coordinators_of
from .workflows import PERSONAL_FIELDS

__all__ = [
    "alert_responders",
    "do_add_crisis_task",
    "do_close_crisis",
    "do_convene",
    "do_post_crisis_update",
    "do_apply_retention",
    "do_receive_report",
    "do_record_tension",
    "do_review_severity",
    "do_update_report",
    "do_update_tension",
    "matching_rules",
    "matching_tension_rules",
]


def matching_rules(report: Report):
    """The active alert rules at the report's place or above it that its kind, bias
    categories and severity meet (an empty kind or category matches any)."""
    rules = AlertRule.objects.filter(
        active=True,
        place_path__in=[*report.place.ancestor_paths, report.place_path],
        min_severity__lte=report.severity,
    ).filter(Q(kind="") | Q(kind=report.kind))
    categories = list(report.bias_categories.values_list("pk", flat=True))
    return rules.filter(Q(bias_category__isnull=True) | Q(bias_category__in=categories))


def _alert(report: Report, *, acting_user) -> int:
    """Tell the people every matching rule names; the number of rules matched."""
    rules = matching_rules(report).select_related("body", "person").distinct()
    return _tell_rules(rules, ALERT, report, acting_user=acting_user)


def _tell_rules(rules, kind: str, record, *, acting_user) -> int:
    """Notify the body's members or the person each rule names of ``record`` (delivery
    re-checks that each may read it); the number of rules."""
    count = 0
    for rule in rules:
        users = body_members(rule.body) if rule.body_id else []
        if rule.person_id:
            users.append(rule.person)
        notify(
            kind,
            record=record,
            recipients=users,
            actor=acting_user,
            context={"why": _("Alert rule: %(rule)s.") % {"rule": rule.name}},
        )
        count += 1
    return count


def matching_tension_rules(assessment: TensionAssessment, *, below_level: int = 0):
    """The active rules at the assessment's place or above it whose tension level the return
    reaches, and which a previous level of the same return (``below_level``) did not."""
    return AlertRule.objects.filter(
        active=True,
        place_path__in=[*assessment.place.ancestor_paths, assessment.place_path],
        tension_from__value__lte=assessment.level.value,
        tension_from__value__gt=below_level,
    )


def _alert_tension(assessment: TensionAssessment, *, acting_user, below_level: int = 0) -> int:
    """Tell the people each rule names that tension has reached its level; the number of
    rules matched."""
    rules = matching_tension_rules(assessment, below_level=below_level)
    return _tell_rules(
        rules.select_related("body", "person"), TENSION_ALERT, assessment, acting_user=acting_user
    )


@transaction.atomic
def do_record_tension(assessment: TensionAssessment, *, acting_user) -> TensionAssessment:
    """Save a week's tension return and alert the rules whose level it reaches."""
    do_create_record(assessment, acting_user=acting_user)
    _alert_tension(assessment, acting_user=acting_user)
    return assessment


@transaction.atomic
def do_update_tension(assessment: TensionAssessment, *, acting_user) -> TensionAssessment:
    """Save a changed return; a rise alerts only the rules it newly reaches (a correction
    downwards, or a change of wording, alerts nobody again)."""
    before = TensionAssessment.objects.select_related("level").get(pk=assessment.pk)
    do_update_record(assessment, acting_user=acting_user)
    _alert_tension(assessment, acting_user=acting_user, below_level=before.level.value)
    return assessment


def alert_responders(report: Report, *, acting_user) -> None:
    """Tell the members of each body the report is routed to."""
    for body in report.routed_to.all():
        notify(
            ALERT,
            record=report,
            recipients=body_members(body),
            actor=acting_user,
            context={"why": _("This report is routed to %(body)s.") % {"body": body.name}},
        )


@transaction.atomic
def do_receive_report(report: Report, *, acting_user, save_related=None) -> Report:
    """Save a new report from a coordinator, a partner or (``acting_user`` None) the public.

    The reporter must be allowed to add reports at the place, not to read them back: a
    partner's AMBER report goes to the coordinators. The label is at least AMBER unless the
    reporter may read the label they chose."""
    if acting_user is not None:
        if not can(acting_user, "add", Report, report.place):
            raise PermissionDenied(_("You may not report incidents for this place."))
        report.reported_by = acting_user
    else:
        report.source = ReportSource.PUBLIC
        report.tlp = TLP.AMBER
    report.retain_until = report.occurred_on + datetime.timedelta(days=report.retention_days())
    report.full_clean()
    with set_actor(acting_user):
        report.save()
        if save_related is not None:
            save_related()
    if acting_user is not None and report.tlp < TLP.AMBER:
        ensure_in_scope(report, acting_user, "add")  # a label below AMBER is a choice they read
    record_event(report, "created", actor=acting_user)
    notify(
        REPORT_RECEIVED, record=report, recipients=coordinators_of(report.place), actor=acting_user
    )
    _alert(report, acting_user=acting_user)
    return report


@transaction.atomic
def do_update_report(report: Report, *, acting_user, save_related=None) -> Report:
    """Change a report. Lowering its label shares it beyond where it was: only with the
    originator's permission, recorded on the report."""
    before = Report.objects.filter(pk=report.pk).values_list("tlp", flat=True).first()
    if before is not None and report.tlp < before and not report.sharing_permission.strip():
        raise ValidationError(
            {
                "sharing_permission": _(
                    "Record the originator's permission before lowering the label."
                )
            }
        )
    report.retain_until = report.occurred_on + datetime.timedelta(days=report.retention_days())
    do_update_record(report, acting_user=acting_user, save_related=save_related)
    return report


@transaction.atomic
def do_review_severity(report: Report, *, severity: int, note: str, acting_user) -> Report:
    """The second coder's severity. The person who submitted the report cannot be it."""
    if report.reported_by_id == acting_user.pk:
        raise ValidationError(_("A second coder is someone other than the reporter."))
    if not 1 <= severity <= 5:
        raise ValidationError({"severity": _("Severity runs from 1 to 5.")})
    report.second_severity = severity
    report.second_coder = acting_user
    with set_actor(acting_user):
        report.save(update_fields=["second_severity", "second_coder", "updated_at"])
    record_event(
        report,
        "reviewed",
        actor=acting_user,
        note=_("Second coder: severity %(severity)s. %(note)s")
        % {"severity": severity, "note": note},
    )
    return report


@transaction.atomic
def do_apply_retention(*, today: datetime.date | None = None) -> dict[str, int]:
    """Reports past their retention: deleted (kinds in ``RESPONSE_DELETED_KINDS``) or stripped
    of personal data and description; the counts."""
    today = today or timezone.localdate()
    due = Report.objects.filter(retain_until__lt=today)
    deleted, _rows = due.filter(kind__in=deleted_kinds()).delete()
    stripped = due.exclude(kind__in=deleted_kinds()).exclude(
        anonymised_at__isnull=False, description=""
    )
    changes: dict[str, Any] = {name: "" for name in PERSONAL_FIELDS}
    anonymised = stripped.update(**changes, description="", anonymised_at=timezone.now())
    return {"deleted": deleted, "anonymised": anonymised}


# --- crises -------------------------------------------------------------------------------------


@transaction.atomic
def do_add_crisis_task(crisis: Crisis, item: ActionItem, *, acting_user) -> ActionItem:
    """A task of the crisis: an action item raised by its coordinating body (created through
    the bodies module, which checks the user may assign on the body's behalf)."""
    item.raised_by = crisis.body
    item.tlp = max(item.tlp, crisis.body.tlp)
    do_create_action_item(item, acting_user=acting_user)
    crisis.tasks.add(item)
    record_event(crisis, "task_added", actor=acting_user, note=item.title)
    return item


@transaction.atomic
def do_convene(crisis: Crisis, meeting: Meeting, *, acting_user) -> Meeting:
    """Convene the coordinating body: a meeting of it, linked to the crisis."""
    if not permits_add(acting_user, Meeting, parent=crisis.body):
        raise PermissionDenied(_("You may not call meetings of this body."))
    meeting.body = crisis.body
    meeting.tlp = max(meeting.tlp, crisis.body.tlp)
    do_create_record(meeting, acting_user=acting_user)
    crisis.convening = meeting
    with set_actor(acting_user):
        crisis.save(update_fields=["convening", "updated_at"])
    record_event(crisis, "convened", actor=acting_user, note=meeting.title)
    return meeting


@transaction.atomic
def do_post_crisis_update(update: CrisisUpdate, *, acting_user) -> CrisisUpdate:
    update.posted_by = acting_user
    do_create_record(update, acting_user=acting_user)
    return update


@transaction.atomic
def do_close_crisis(
    crisis: Crisis, *, review: dict[str, str], corrections: list[ActionItem], acting_user
) -> Crisis:
    """Close the crisis with its after-action review; each corrective action becomes an
    action item of the coordinating body, tracked with the crisis."""
    do_transition(crisis, "close", acting_user=acting_user, note="", changes=review)
    for item in corrections:
        item.raised_by = crisis.body
        item.tlp = max(item.tlp, crisis.body.tlp)
        do_create_action_item(item, acting_user=acting_user)
        crisis.corrective_actions.add(item)
    return crisis
