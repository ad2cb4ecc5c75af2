"""Forms of the funding module. Record choices are scoped by ScopedModelForm; budgets,
criteria, questions and schedules are typed one line each (see ``budgets.py``)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.access.models import User
from bridgework.actors.choices import Sector
from bridgework.web.forms import ScopedModelForm

from .budgets import (
    budget_text,
    criteria_text,
    fields_text,
    parse_budget,
    parse_criteria,
    parse_fields,
    parse_schedule,
)
from .choices import ApplicationStatus, ReportKind
from .models import (
    Application,
    Call,
    Fund,
    Grant,
    GrantIndicator,
    Report,
    Result,
    Review,
    Tranche,
)

__all__ = [
    "ApplicationForm",
    "CallForm",
    "FundForm",
    "GrantForm",
    "GrantIndicatorForm",
    "ReportForm",
    "ResultForm",
    "ReviewForm",
    "ScoreForm",
    "TrancheForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})
LINES = forms.Textarea(attrs={"rows": 4})


class _LinesField(forms.CharField):
    """A value kept as JSON, typed as lines of text."""

    parse: Any = None
    show: Any = None

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LINES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return type(self).show(value)
        return value

    def clean(self, value):
        return type(self).parse(super().clean(value) or "")


class BudgetField(_LinesField):
    parse = staticmethod(parse_budget)
    show = staticmethod(budget_text)


class CriteriaField(_LinesField):
    parse = staticmethod(parse_criteria)
    show = staticmethod(criteria_text)


class QuestionsField(_LinesField):
    parse = staticmethod(parse_fields)
    show = staticmethod(fields_text)


class FundForm(ScopedModelForm):
    budget = BudgetField(
        label=_("Budget by year"), help_text=_("One line per year, like “2026: 2500000”")
    )
    sectors = forms.MultipleChoiceField(label=_("Sectors"), choices=Sector.choices, required=False)

    class Meta:
        model = Fund
        fields = [
            "name",
            "owner",
            "description",
            "currency",
            "time_zone",
            "budget",
            "eligible_places",
            "themes",
            "sectors",
            "objectives",
            "tlp",
        ]
        widgets = {"description": TEXT}


class CallForm(ScopedModelForm):
    """The dates are typed on the fund's clock (its time zone), whatever the server's."""

    criteria = CriteriaField(
        label=_("Criteria"),
        help_text=_("One per line: a weight and a name, like “40 Fit with local needs”"),
    )
    questions = QuestionsField(
        label=_("Questions of the application form"),
        help_text=_("One per line; end with * for a required answer"),
    )

    class Meta:
        model = Call
        fields = [
            "fund",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "max_amount",
            "max_years",
            "criteria",
            "questions",
        ]
        widgets = {"description": TEXT, "opens_at": MOMENT, "closes_at": MOMENT}
        help_texts = {
            "opens_at": _("In the fund's time zone"),
            "closes_at": _("In the fund's time zone"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # shown on the fund's clock
            for name in ("opens_at", "closes_at"):
                moment = getattr(self.instance, name)
                self.initial[name] = timezone.localtime(moment, self.instance.fund.zone).replace(
                    tzinfo=None
                )

    def clean(self):
        cleaned: dict[str, Any] = super().clean() or {}
        fund = cleaned.get("fund")
        for name in ("opens_at", "closes_at"):
            moment = cleaned.get(name)
            if fund is not None and isinstance(moment, datetime.datetime):
                wall = timezone.localtime(moment).replace(tzinfo=None)  # as typed
                cleaned[name] = wall.replace(tzinfo=fund.zone)
        return cleaned


class ApplicationForm(ScopedModelForm):
    """The call's own questions are added to the form (answers checked for completeness on
    submission, so a draft may be saved half done)."""

    budget = BudgetField(
        label=_("Budget by year"),
        help_text=_(
            "One line per year of the project, like “2026: 40000”; they add up to the amount"
        ),
    )

    answers_json = forms.CharField(
        label=_("Answers (JSON)"),
        required=False,
        max_length=60000,
        widget=forms.HiddenInput,
        help_text=_("For the API: the answers to the call's questions, by question key"),
    )

    class Meta:
        model = Application
        fields = [
            "call",
            "organisation",
            "co_applicants",
            "title",
            "summary",
            "amount",
            "starts_on",
            "years",
            "budget",
            "objectives",
            "needs",
            "tlp",
        ]
        widgets = {"summary": TEXT, "starts_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.call: Call | None = None
        self._add_questions()

    def full_clean(self):
        self._add_questions()  # the API sets the data after building the form
        super().full_clean()

    def _add_questions(self) -> None:
        if self.call is not None:
            return
        self.call = self._chosen_call()
        for question in self.call.questions if self.call else []:
            self.fields[f"answer_{question['key']}"] = forms.CharField(
                label=question["label"],
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Required on submission") if question.get("required") else "",
                initial=self.instance.answers.get(question["key"], ""),
            )

    def _chosen_call(self) -> Call | None:
        raw = self.data.get("call") if self.is_bound else self.initial.get("call")
        raw = raw or self.instance.call_id
        if not str(raw or "").isdigit():
            return None
        call_field: Any = self.fields["call"]
        return call_field.queryset.filter(pk=int(raw)).select_related("fund").first()

    def clean(self):
        cleaned: dict[str, Any] = super().clean() or {}
        if self.call is not None:
            given = cleaned.get("answers_json") or {}
            self.instance.answers = {
                q["key"]: cleaned.get(f"answer_{q['key']}") or str(given.get(q["key"], ""))
                for q in self.call.questions
            }
        return cleaned

    def clean_answers_json(self) -> dict:
        """The API's way to answer: ``{"question-key": "answer"}`` as JSON text."""
        raw = self.cleaned_data.get("answers_json") or ""
        if not raw:
            return {}
        try:
            answers = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Give the answers as a JSON object.")) from None
        if not isinstance(answers, dict) or not all(
            isinstance(v, str) and len(v) <= 5000 for v in answers.values()
        ):
            raise forms.ValidationError(_("Each answer is a text of at most 5000 characters."))
        keys = {q["key"] for q in self.call.questions} if self.call else set()
        unknown = sorted(set(answers) - keys)
        if unknown:
            raise forms.ValidationError(
                _("The call asks no question %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        return answers


class ReviewForm(ScopedModelForm):
    """Staff give an application to a reviewer who may read it."""

    class Meta:
        model = Review
        fields = ["application", "reviewer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reviewer: Any = self.fields["reviewer"]
        reviewer.queryset = (
            User.objects.filter(assignments__role__slug="reviewer", is_active=True)
            .distinct()
            .order_by("full_name", "pk")
        )

    def clean(self):
        cleaned: dict[str, Any] = super().clean() or {}
        application, reviewer = cleaned.get("application"), cleaned.get("reviewer")
        if (
            application
            and reviewer
            and not Application.objects.assignable_to(reviewer).filter(pk=application.pk).exists()
        ):
            self.add_error("reviewer", _("This reviewer cannot read this application."))
        return cleaned


class ScoreForm(forms.Form):
    """A score from 0 to 5 for each criterion of the call, and comments."""

    comment = forms.CharField(label=_("Comments"), widget=TEXT, max_length=10000, required=True)

    def __init__(self, *args, criteria: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion['key']}"] = forms.IntegerField(
                label=_("%(name)s (weight %(weight)s)") % criterion,
                min_value=0,
                max_value=5,
                help_text=_("0 (not at all) to 5 (fully)"),
            )
        self.order_fields([*(f"score_{c['key']}" for c in criteria), "comment"])

    def scores(self) -> dict[str, int]:
        return {c["key"]: self.cleaned_data[f"score_{c['key']}"] for c in self.criteria}


class GrantForm(ScopedModelForm):
    schedule = forms.CharField(
        label=_("Tranches"),
        widget=LINES,
        max_length=5000,
        help_text=_(
            "One per line: a date and an amount, like “2027-01-15: 30000”; "
            "the first is paid on award"
        ),
    )

    class Meta:
        model = Grant
        fields = [
            "application",
            "amount",
            "starts_on",
            "years",
            "report_every_months",
            "plan_actions",
        ]
        widgets = {"starts_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application: Any = self.fields["application"]
        # An approved application without a grant (or, on a correction, this grant's own).
        free = (
            Q(grant__isnull=True) | Q(grant=self.instance.pk)
            if self.instance.pk
            else Q(grant__isnull=True)
        )
        application.queryset = application.queryset.filter(free, status=ApplicationStatus.APPROVED)
        if self.instance.pk:
            del self.fields["schedule"]

    def clean_schedule(self):
        return parse_schedule(self.cleaned_data["schedule"])


class ReportForm(ScopedModelForm):
    class Meta:
        model = Report
        fields = ["grant", "kind", "period_start", "period_end", "text", "spent", "unlocks"]
        widgets = {"period_start": DATE, "period_end": DATE, "text": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unlocks: Any = self.fields["unlocks"]
        unlocks.queryset = unlocks.queryset.filter(number__gt=1).order_by("grant_id", "number")
        grant = (self.data.get("grant") if self.is_bound else None) or self.initial.get("grant")
        grant = grant or self.instance.grant_id
        if str(grant or "").isdigit():  # the tranches of the grant reported on
            unlocks.queryset = unlocks.queryset.filter(grant_id=int(grant))
        unlocks.label_from_instance = lambda t: (
            _("Tranche %(n)s, due %(due)s: %(amount)s")
            % {
                "n": t.number,
                "due": t.due_on.isoformat(),
                "amount": t.amount,
            }
        )


class TrancheForm(ScopedModelForm):
    class Meta:
        model = Tranche
        fields = ["grant", "number", "due_on", "amount"]
        widgets = {"due_on": DATE}


class GrantIndicatorForm(ScopedModelForm):
    """An indicator the grant reports against (among those the writer sees) and its target."""

    class Meta:
        model = GrantIndicator
        fields = ["grant", "indicator", "target"]
        help_texts = {"target": _("In the indicator's unit, over the grant's term")}


class ResultForm(ScopedModelForm):
    """A progress report's value for one indicator; on a report chosen beforehand, the
    indicators its grant tracks are offered."""

    class Meta:
        model = Result
        fields = ["report", "indicator", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report: Any = self.fields["report"]
        report.queryset = report.queryset.filter(kind=ReportKind.PROGRESS)
        # Offered, not enforced: a bound form keeps every indicator the writer sees, so one
        # the grant does not track meets the model's own clear error.
        chosen = self.initial.get("report") or self.instance.report_id
        if not self.is_bound and str(chosen or "").isdigit():
            indicator: Any = self.fields["indicator"]
            tracked = GrantIndicator.objects.filter(grant__reports=int(chosen))
            indicator.queryset = indicator.queryset.filter(pk__in=tracked.values("indicator_id"))
