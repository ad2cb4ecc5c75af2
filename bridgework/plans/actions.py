"""Writes of the plans module: revising a strategy, raising and supporting needs, reporting
indicator values and signing periods off. Every one is audited as the acting user, re-checks
the scope after saving and records what happened on the record's timeline."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bridgework.access.policy import can, permits
from bridgework.activity.workflows import do_transition
from bridgework.core.actions import (
    do_create_record,
    do_delete_record,
    do_update_record,
    ensure_in_scope,
)
from bridgework.core.events import record_event
from bridgework.notifications.actions import notify
from bridgework.places.models import Place

from .models import (
    Approval,
    Indicator,
    IndicatorValue,
    LocalNeed,
    NeedReferral,
    NeedSupport,
    Objective,
    Pillar,
    Strategy,
)
from .periods import Period
from .selectors import approval_blockers, lock_covering

__all__ = [
    "do_approve_period",
    "do_delete_value",
    "do_raise_need",
    "do_report_values",
    "do_revise_strategy",
    "do_save_value",
    "do_supersede_strategy",
    "do_support_need",
    "do_unlock_period",
    "do_withdraw_support",
    "record_referral",
]


# --- strategies ----------------------------------------------------------------------------------


@transaction.atomic
def do_revise_strategy(strategy: Strategy, *, acting_user) -> Strategy:
    """A new draft version of ``strategy`` with copies of its pillars, objectives and
    indicators; each copy points to what it continues, so links to the old version count
    for the new one. The old version stays in force until the new one is."""
    if not permits(acting_user, "add", strategy):
        raise PermissionDenied(_("You may not revise this strategy."))
    if Strategy.objects.filter(previous=strategy).exists():
        raise ValidationError(_("This version has been revised already: revise the newest one."))
    revision = Strategy(
        title=strategy.title,
        owner=strategy.owner,
        summary=strategy.summary,
        starts_on=strategy.starts_on,
        ends_on=strategy.ends_on,
        tlp=strategy.tlp,
        version=strategy.version + 1,
        previous=strategy,
        is_demo=strategy.is_demo,
    )
    do_create_record(revision, acting_user=acting_user)
    objectives: dict[int, Objective] = {}
    with set_actor(acting_user):
        for pillar in strategy.pillars.order_by("number"):
            copy = Pillar.objects.create(
                strategy=revision,
                number=pillar.number,
                title=pillar.title,
                description=pillar.description,
            )
            for objective in pillar.objectives.order_by("code"):
                objectives[objective.pk] = Objective.objects.create(
                    pillar=copy,
                    code=objective.code,
                    title=objective.title,
                    description=objective.description,
                    lineage_id=objective.root_id,
                )
        for indicator in strategy.indicators.order_by("code"):
            Indicator.objects.create(
                objective=objectives[indicator.objective_id],
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                periodicity=indicator.periodicity,
                aggregation=indicator.aggregation,
                description=indicator.description,
                lineage_id=indicator.series_id,
            )
    record_event(strategy, "revised", actor=acting_user)
    return revision


def do_supersede_strategy(strategy: Strategy, *, by: Strategy, acting_user) -> Strategy:
    """Retire ``strategy`` because its revision ``by`` is now in force."""
    return cast(
        Strategy,
        do_transition(
            strategy,
            "retire",
            acting_user=acting_user,
            note=_("Replaced by version %(version)s.") % {"version": by.version},
        ),
    )


# --- needs ---------------------------------------------------------------------------------------


@transaction.atomic
def do_raise_need(need: LocalNeed, *, acting_user, save_related=None) -> LocalNeed:
    """Save a new need and put it before the level above its place."""
    do_create_record(need, acting_user=acting_user, save_related=save_related)
    from .notifications import NEED_RAISED, handler_audience

    notify(NEED_RAISED, record=need, recipients=handler_audience(need), actor=acting_user)
    return need


def record_referral(need: LocalNeed, *, to_place: Place, note: str, acting_user) -> NeedReferral:
    """The trail of a need passed up: written by the workflow's *pass up* step."""
    referral = NeedReferral(need=need, from_place=need.handled_at, to_place=to_place, note=note)
    referral.referred_by = acting_user
    referral.full_clean()
    with set_actor(acting_user):
        referral.save()
    need.handled_at = to_place
    need.handled_path = to_place.path
    return referral


@transaction.atomic
def do_support_need(need: LocalNeed, *, place: Place, note: str = "", acting_user) -> NeedSupport:
    """``place`` says it shares ``need`` (which the acting user can see)."""
    if not permits(acting_user, "view", need):
        raise PermissionDenied(_("You cannot see this need."))
    if not need.is_open:
        raise ValidationError(_("This need is closed: it can no longer be shared."))
    if not can(acting_user, "add", NeedSupport, place):
        raise PermissionDenied(_("You may not speak for that place."))
    support = NeedSupport(need=need, place=place, note=note)
    do_create_record(support, acting_user=acting_user)
    LocalNeed.objects.filter(pk=need.pk).update(support_count=F("support_count") + 1)
    need.refresh_from_db(fields=["support_count"])
    from .notifications import NEED_SUPPORTED, raiser_audience

    notify(NEED_SUPPORTED, record=need, recipients=raiser_audience(need), actor=acting_user)
    return support


@transaction.atomic
def do_withdraw_support(support: NeedSupport, *, acting_user) -> None:
    need_id = support.need_id
    do_delete_record(support, acting_user=acting_user)
    LocalNeed.objects.filter(pk=need_id, support_count__gt=0).update(
        support_count=F("support_count") - 1
    )


# --- indicator values ----------------------------------------------------------------------------


def check_not_locked(strategy: Strategy, place: Place, period: Period) -> None:
    approval = lock_covering(strategy, place, period)
    if approval is not None:
        raise ValidationError(
            _("%(place)s has approved %(period)s: these values are locked.")
            % {"place": approval.place.name, "period": approval.period.label}
        )


@transaction.atomic
def do_report_values(
    *,
    place: Place,
    period: Period,
    values: Mapping[Indicator, Decimal | None],
    acting_user,
) -> list[IndicatorValue]:
    """Save what ``place`` reports for ``period``: a number sets the indicator's value, None
    removes it. Refused while an approval at the place or above covers the period."""
    saved: list[IndicatorValue] = []
    for strategy in {indicator.strategy for indicator in values}:
        check_not_locked(strategy, place, period)
    existing = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(
            place=place, indicator__in=list(values), period_start=period.start
        )
    }
    for indicator, number in values.items():
        if indicator.periodicity != period.kind:
            raise ValidationError(
                _("%(indicator)s is reported per %(kind)s period.")
                % {"indicator": indicator, "kind": indicator.get_periodicity_display().lower()}
            )
        current = existing.get(indicator.pk)
        if number is None:
            if current is not None:
                do_delete_record(current, acting_user=acting_user)
            continue
        if current is None:
            record = IndicatorValue(
                indicator=indicator, place=place, period_start=period.start, value=number
            )
            saved.append(cast(IndicatorValue, do_create_record(record, acting_user=acting_user)))
        elif current.value != number:
            current.value = number
            saved.append(cast(IndicatorValue, do_update_record(current, acting_user=acting_user)))
    return saved


@transaction.atomic
def do_save_value(value: IndicatorValue, *, acting_user) -> IndicatorValue:
    """Save one value from its own form (new or changed), unless its period is locked where
    it is reported now or where it was reported before the change."""
    value.derive_series()
    check_not_locked(value.indicator.strategy, value.place, value.period)
    if value.pk is None:
        return cast(IndicatorValue, do_create_record(value, acting_user=acting_user))
    before = IndicatorValue.objects.select_related("indicator__strategy", "place").get(pk=value.pk)
    check_not_locked(before.indicator.strategy, before.place, before.period)
    return cast(IndicatorValue, do_update_record(value, acting_user=acting_user))


@transaction.atomic
def do_delete_value(value: IndicatorValue, *, acting_user) -> None:
    check_not_locked(value.indicator.strategy, value.place, value.period)
    do_delete_record(value, acting_user=acting_user)


# --- approvals -----------------------------------------------------------------------------------


@transaction.atomic
def do_approve_period(approval: Approval, *, acting_user) -> Approval:
    """Sign off the place's values of a strategy for a period, once every reporting place
    directly below it has; the values below are then locked."""
    period = approval.period
    blockers = approval_blockers(approval.strategy, approval.place, period)
    if blockers:
        raise ValidationError(
            _("Not every place below has approved %(period)s yet: %(places)s.")
            % {"period": period.label, "places": ", ".join(place.name for place in blockers)}
        )
    approval.approved_by = acting_user
    do_create_record(approval, acting_user=acting_user)
    record_event(approval, "approved", actor=acting_user, note=approval.note)
    return approval


@transaction.atomic
def do_unlock_period(approval: Approval, *, reason: str, acting_user) -> None:
    """Withdraw an approval (the values below it can be changed again), saying why; refused
    while the level above has approved the same period."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the values must be unlocked.")})
    above = lock_covering(approval.strategy, approval.place, approval.period, above_only=True)
    if above is not None:
        raise ValidationError(
            _("%(place)s has approved this period too: it must withdraw its approval first.")
            % {"place": above.place.name}
        )
    ensure_in_scope(approval, acting_user, "delete")
    record_event(approval, "unlocked", actor=acting_user, note=reason)
    do_delete_record(approval, acting_user=acting_user)
