"""Forms of the plans module. Every record choice is scoped by ScopedModelForm (or by the
querysets the views hand in)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .choices import AnswerKind, NeedStatus, StrategyStatus
from .models import (
    Approval,
    Indicator,
    IndicatorValue,
    LocalNeed,
    LocalPlan,
    NeedSupport,
    Objective,
    Pillar,
    PlanAction,
    PlanPriority,
    Strategy,
    first_handler,
)
from .periods import Period, parse_period

__all__ = [
    "AnswerForm",
    "ApprovalForm",
    "IndicatorForm",
    "IndicatorValueForm",
    "LocalNeedForm",
    "LocalPlanForm",
    "NeedSupportForm",
    "ObjectiveForm",
    "PillarForm",
    "PlanActionForm",
    "PlanPriorityForm",
    "ReportForm",
    "StrategyForm",
    "UnlockForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class PeriodField(forms.Field):
    """A reporting period typed as DHIS2 writes it: 2025, 2025Q2 or 202504."""

    widget = forms.TextInput(attrs={"size": 8, "maxlength": 8})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("help_text", _("A year (2025), a quarter (2025Q2) or a month (202504)"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Period):
            return value
        try:
            return parse_period(str(value)[:20])
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def prepare_value(self, value):
        return value.code if isinstance(value, Period) else value


class StrategyForm(ScopedModelForm):
    class Meta:
        model = Strategy
        fields = ["title", "owner", "summary", "starts_on", "ends_on", "tlp"]
        widgets = {"summary": TEXT, "starts_on": DATE, "ends_on": DATE}


class PillarForm(ScopedModelForm):
    class Meta:
        model = Pillar
        fields = ["strategy", "number", "title", "description"]
        widgets = {"description": SHORT_TEXT}


class ObjectiveForm(ScopedModelForm):
    class Meta:
        model = Objective
        fields = ["pillar", "code", "title", "description"]
        widgets = {"description": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pillar: Any = self.fields["pillar"]
        pillar.queryset = pillar.queryset.select_related("strategy")
        pillar.label_from_instance = lambda p: f"{p.strategy} — {p}"


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = ["objective", "code", "name", "unit", "periodicity", "aggregation", "description"]
        widgets = {"description": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        objective: Any = self.fields["objective"]
        objective.queryset = objective.queryset.select_related("strategy")
        objective.label_from_instance = lambda o: f"{o.strategy} — {o}"


class LocalPlanForm(ScopedModelForm):
    class Meta:
        model = LocalPlan
        fields = ["title", "place", "owner", "summary", "starts_on", "ends_on", "tlp"]
        widgets = {"summary": TEXT, "starts_on": DATE, "ends_on": DATE}


class PlanPriorityForm(ScopedModelForm):
    class Meta:
        model = PlanPriority
        fields = ["plan", "number", "title", "description"]
        widgets = {"description": SHORT_TEXT}


class PlanActionForm(ScopedModelForm):
    class Meta:
        model = PlanAction
        fields = [
            "priority",
            "title",
            "description",
            "objectives",
            "organisations",
            "starts_on",
            "due_on",
        ]
        widgets = {
            "description": SHORT_TEXT,
            "objectives": forms.CheckboxSelectMultiple,
            "starts_on": DATE,
            "due_on": DATE,
        }
        help_texts = {
            "objectives": _("The objectives of the national strategy in force this action serves"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        priority: Any = self.fields["priority"]
        priority.queryset = priority.queryset.select_related("plan")
        priority.label_from_instance = lambda p: f"{p.plan} — {p}"
        objectives: Any = self.fields["objectives"]
        # Objectives of strategies in force, plus any this action already serves.
        chosen = self.instance.objectives.all() if self.instance.pk else Objective.objects.none()
        objectives.queryset = (
            (
                objectives.queryset.filter(strategy__status=StrategyStatus.CURRENT)
                | objectives.queryset.filter(pk__in=chosen.values("pk"))
            )
            .select_related("strategy")
            .order_by("strategy__title", "code", "pk")
        )
        objectives.label_from_instance = lambda o: f"{o.code} {o.title} ({o.strategy.title})"


class LocalNeedForm(ScopedModelForm):
    class Meta:
        model = LocalNeed
        fields = ["title", "place", "category", "priority", "description", "evidence", "tlp"]
        widgets = {"description": TEXT, "evidence": SHORT_TEXT}
        labels = {"place": _("Raised by (place)")}

    def clean_place(self):
        """A need raised at the wrong place may move while it is still with the first level
        (which moves with it); once passed up or closed, its trail stays with its place."""
        place = self.cleaned_data.get("place")
        if self.instance.pk and place is not None and place.pk != self.instance.place_id:
            if self.instance.status != NeedStatus.RAISED or self.instance.referrals.exists():
                raise forms.ValidationError(
                    _("This need has moved on from its place: raise a new one for another place.")
                )
            self.instance.handled_at = first_handler(place)
        return place


class NeedSupportForm(ScopedModelForm):
    class Meta:
        model = NeedSupport
        fields = ["need", "place", "note"]
        widgets = {"note": SHORT_TEXT}
        labels = {"place": _("Our place")}


class IndicatorValueForm(ScopedModelForm):
    period = PeriodField()

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "place", "period", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["period"] = self.instance.period.code
        indicator: Any = self.fields["indicator"]
        indicator.queryset = indicator.queryset.select_related("strategy")
        indicator.label_from_instance = lambda i: f"{i} ({i.strategy.title})"

    def clean(self):
        data = super().clean() or {}
        indicator, period = data.get("indicator"), data.get("period")
        if indicator is not None and period is not None:
            if period.kind != indicator.periodicity:
                self.add_error(
                    "period",
                    _("%(indicator)s is reported %(kind)s: give a period of that kind.")
                    % {
                        "indicator": indicator.code,
                        "kind": indicator.get_periodicity_display().lower(),
                    },
                )
            else:
                self.instance.period_start = period.start
        value = data.get("value")
        if isinstance(value, Decimal) and not value.is_finite():
            self.add_error("value", _("Enter a number."))
        return data


class ApprovalForm(ScopedModelForm):
    period = PeriodField()

    class Meta:
        model = Approval
        fields = ["strategy", "place", "period", "note"]
        widgets = {"note": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["period"] = self.instance.period.code

    def clean(self):
        data = super().clean() or {}
        period = data.get("period")
        if period is not None:
            self.instance.period_start = period.start
            self.instance.periodicity = period.kind
        return data


class AnswerForm(forms.Form):
    """How a level answers a need (a decline is its own step, with a reason)."""

    answer_kind = forms.ChoiceField(
        label=_("Answered with"),
        choices=[(v, label) for v, label in AnswerKind.choices if v != AnswerKind.DECLINE],
    )
    answer_title = forms.CharField(
        label=_("Answer"), max_length=200, help_text=_("The programme, fund call or course")
    )
    answer_url = forms.URLField(
        label=_("Link"), required=False, max_length=200, assume_scheme="https"
    )
    record = forms.CharField(
        required=False,
        max_length=120,
        widget=forms.HiddenInput,
        help_text=_("The platform's record that answers it: app.model:number"),
    )
    note = forms.CharField(
        label=_("What the answer says"),
        widget=TEXT,
        max_length=5000,
        help_text=_("The raising place reads this: how the answer meets the need, what to do"),
    )


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must the values be unlocked?"), widget=SHORT_TEXT, max_length=2000
    )


class ReportForm(forms.Form):
    """One number per indicator of a strategy for a place and a period (empty: not reported)."""

    def __init__(self, *args, indicators: list[Indicator], current: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"i{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.code} {indicator.name}",
                help_text=indicator.unit,
                required=False,
                max_digits=16,
                decimal_places=4,
                initial=current.get(indicator.pk),
                localize=False,
            )

    def values(self) -> dict[Indicator, Decimal | None]:
        return {
            indicator: self.cleaned_data.get(f"i{indicator.pk}") for indicator in self.indicators
        }
