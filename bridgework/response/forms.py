"""Forms of the response module: the coordinators' report form, the intake form partners use
(no label: a report they send is AMBER), the public form (no account, no place picker: the
place is named in words) and the second coder's review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.access.models import RoleAssignment, User
from bridgework.access.policy import decide_scope
from bridgework.bodies.models import ActionItem, Meeting
from bridgework.places.models import Place
from bridgework.web.forms import ScopedModelForm

from .models import (
    AlertRule,
    BiasCategory,
    Crisis,
    CrisisUpdate,
    Report,
    TensionAssessment,
    iso_week_start,
)

__all__ = [
    "AlertRuleForm",
    "ConveneForm",
    "CrisisForm",
    "CrisisReviewForm",
    "CrisisTaskForm",
    "CrisisUpdateForm",
    "IntakeForm",
    "PublicReportForm",
    "ReportForm",
    "ReviewForm",
    "TensionAssessmentForm",
    "TokenForm",
    "corrective_formset",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 5})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
FACTORS = ["intent", "physical_contact", "damage", "community_reaction", "repeat"]
PERSONAL = ["reporter_name", "reporter_contact", "people_involved"]


def check_categories(categories, place: Place | None) -> None:
    """A country's own bias categories are for reports in that country."""
    if place is None:
        return
    for category in categories or ():
        if category.country_id and category.country.path not in (
            *place.ancestor_paths,
            place.path,
        ):
            raise forms.ValidationError(
                _("“%(name)s” is used only in %(country)s.")
                % {"name": category.name, "country": category.country.name}
            )


def check_not_future(day) -> None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


class ReportForm(ScopedModelForm):
    class Meta:
        model = Report
        fields = [
            "kind",
            "title",
            "place",
            "occurred_on",
            "description",
            "bias_categories",
            "severity",
            *FACTORS,
            "source",
            "reliability",
            "evidence",
            *PERSONAL,
            "routed_to",
            "sharing_permission",
            "tlp",
        ]
        widgets = {
            "occurred_on": DATE,
            "description": TEXT,
            "people_involved": SHORT_TEXT,
            "bias_categories": forms.CheckboxSelectMultiple,
            "severity": forms.Select(choices=[(n, str(n)) for n in range(1, 6)]),
        }
        labels = {"place": _("Where it happened")}

    def clean_occurred_on(self):
        day = self.cleaned_data.get("occurred_on")
        check_not_future(day)
        return day

    def clean(self):
        cleaned = super().clean() or {}
        try:
            check_categories(cleaned.get("bias_categories"), cleaned.get("place"))
        except forms.ValidationError as error:
            self.add_error("bias_categories", error)
        return cleaned


class IntakeForm(ReportForm):
    """What a partner (or anyone who may add reports) sends: no label, no routing."""

    class Meta(ReportForm.Meta):
        fields = [
            name
            for name in ReportForm.Meta.fields
            if name not in {"tlp", "routed_to", "sharing_permission"}
        ]


class PublicReportForm(forms.ModelForm):
    """The public's form: anonymous allowed. The place is typed (a town, a ward); the
    coordinators code the severity, starting from the factors ticked here."""

    place_name = forms.CharField(
        label=_("Where did it happen?"),
        max_length=200,
        help_text=_("The town, city or ward, e.g. Brampton or Chilinde"),
    )

    class Meta:
        model = Report
        fields = [
            "kind",
            "title",
            "occurred_on",
            "description",
            "bias_categories",
            *FACTORS,
            *PERSONAL[:2],
        ]
        widgets = {
            "occurred_on": DATE,
            "description": TEXT,
            "bias_categories": forms.CheckboxSelectMultiple,
        }
        labels = {
            "title": _("In a line, what happened?"),
            "bias_categories": _("Why do you think it happened? (tick any)"),
            "reporter_name": _("Your name (optional)"),
            "reporter_contact": _("Phone or email, if you would like a call back (optional)"),
        }
        help_texts = {"description": _("Please do not name other people here.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories: Any = self.fields["bias_categories"]
        categories.queryset = BiasCategory.objects.filter(country__isnull=True)

    def clean_occurred_on(self):
        day = self.cleaned_data.get("occurred_on")
        check_not_future(day)
        return day

    def clean_place_name(self) -> Place:
        text = self.cleaned_data["place_name"].strip()
        today = timezone.localdate()
        found = list(
            Place.objects.open_on(today).filter(Q(name__iexact=text) | Q(code__iexact=text))[:6]
        )
        if not found:
            raise forms.ValidationError(
                _("We could not find “%(name)s”. Try the name of the town, city or ward.")
                % {"name": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several places are called “%(name)s”: add the code, one of %(codes)s.")
                % {"name": text, "codes": ", ".join(p.code or str(p.pk) for p in found)}
            )
        return found[0]

    def save(self, commit: bool = True) -> Report:
        report = super().save(commit=False)
        report.place = self.cleaned_data["place_name"]
        report.severity = report.suggested_severity
        report.evidence = "experienced"
        report.reliability = "F"
        return report


class ReviewForm(forms.Form):
    severity = forms.TypedChoiceField(
        label=_("Your severity"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        help_text=_("Code it yourself before looking at the first coder's severity"),
    )
    note = forms.CharField(label=_("Why"), widget=SHORT_TEXT, max_length=1000, required=False)


class TensionAssessmentForm(ScopedModelForm):
    class Meta:
        model = TensionAssessment
        fields = [
            "place",
            "week_start",
            "level",
            "title",
            "evidence",
            "trigger_local",
            "trigger_national",
            "trigger_international",
            "triggers",
            "tlp",
        ]
        widgets = {"week_start": DATE, "evidence": TEXT, "triggers": SHORT_TEXT}
        help_texts = {"week_start": _("Any day of the week: it is saved as its Monday")}

    def clean_week_start(self):
        day = self.cleaned_data.get("week_start")
        return iso_week_start(day) if day else day


class AlertRuleForm(ScopedModelForm):
    class Meta:
        model = AlertRule
        fields = [
            "name",
            "place",
            "kind",
            "bias_category",
            "min_severity",
            "tension_from",
            "body",
            "person",
            "active",
            "tlp",
        ]
        labels = {"place": _("At or below")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people working where the editor may set rules: never the whole user list.
        scope = decide_scope(self.user, self.action, AlertRule)
        near = RoleAssignment.objects.active_on(timezone.localdate()).filter(
            scope.as_q("place_path", None)
        )
        person: Any = self.fields["person"]
        person.queryset = User.objects.filter(
            is_active=True, pk__in=near.values("user_id")
        ).order_by("full_name", "email")


# --- crises -------------------------------------------------------------------------------------


class CrisisForm(ScopedModelForm):
    class Meta:
        model = Crisis
        fields = [
            "title",
            "place",
            "body",
            "started_on",
            "trigger",
            "reports",
            "assessments",
            "tlp",
        ]
        widgets = {"started_on": DATE, "trigger": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reports", "assessments"):
            field: Any = self.fields[name]
            field.queryset = field.queryset.select_related("place")


class CrisisUpdateForm(ScopedModelForm):
    class Meta:
        model = CrisisUpdate
        fields = ["crisis", "kind", "text"]
        widgets = {"text": TEXT}


class CrisisTaskForm(ScopedModelForm):
    """A task given by the crisis's coordinating body (an action item of that body)."""

    class Meta:
        model = ActionItem
        fields = ["title", "description", "owner_organisation", "owner_person", "due_on"]
        widgets = {"due_on": DATE, "description": SHORT_TEXT}
        help_texts = {
            "owner_organisation": _("Who does it: an organisation, or a person — not both"),
        }


class ConveneForm(ScopedModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "location", "agenda"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "agenda": TEXT,
        }


class CrisisReviewForm(forms.Form):
    strengths = forms.CharField(label=_("Strengths"), widget=TEXT, max_length=5000)
    improvements = forms.CharField(label=_("Areas for improvement"), widget=TEXT, max_length=5000)
    root_cause = forms.CharField(label=_("Root cause"), widget=SHORT_TEXT, max_length=5000)


def corrective_formset(*, user, data=None):
    """Corrective actions of an after-action review: blank rows are ignored."""
    formset_class = forms.modelformset_factory(
        ActionItem, form=CrisisTaskForm, extra=3, max_num=10, can_delete=False
    )
    return formset_class(
        data=data,
        queryset=ActionItem.objects.none(),
        prefix="corrective",
        form_kwargs={"user": user, "action": "add"},
    )


class TokenForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The six digits your app shows now, or one of your recovery codes"),
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)
