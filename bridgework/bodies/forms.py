"""Forms of the bodies module. Every choice is scoped by ScopedModelForm (or, for the small
forms of the meeting and action pages, by the querysets the views hand in)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import RecordsField, ScopedModelForm

from .choices import ActionStatus, MeetingStatus
from .models import ActionItem, ActionUpdate, Attendance, Body, Decision, Meeting, Seat
from .workflows import ACTION_ITEM

__all__ = [
    "ActionItemForm",
    "ActionProgressForm",
    "ActionUpdateForm",
    "AttendanceForm",
    "AttendanceRecordForm",
    "BodyForm",
    "DecisionForm",
    "DecisionQuickForm",
    "MeetingForm",
    "MinutesForm",
    "SeatForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
STATUS_UNCHANGED = [("", _("— unchanged —"))]


def _with_related(form: forms.BaseForm, name: str, *related: str) -> None:
    """Option labels name related records: fetch them with the choices, not one per option."""
    field: Any = form.fields[name]  # a ModelChoiceField; the stubs type it as a plain Field
    field.queryset = field.queryset.select_related(*related)


class BodyForm(ScopedModelForm):
    class Meta:
        model = Body
        fields = ["name", "kind", "level", "place", "parent", "mandate", "tlp"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            parent: Any = self.fields["parent"]  # a ModelChoiceField
            parent.queryset = parent.queryset.exclude(pk=self.instance.pk)


class SeatForm(ScopedModelForm):
    class Meta:
        model = Seat
        fields = [
            "body",
            "organisation",
            "person",
            "role",
            "constituency",
            "sector",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "organisation": _("Choose an organisation or a person, not both"),
        }


class MeetingForm(ScopedModelForm):
    class Meta:
        model = Meeting
        fields = [
            "body",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "agenda",
            "minutes",
            "tlp",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }


class AttendanceForm(ScopedModelForm):
    class Meta:
        model = Attendance
        fields = ["meeting", "seat", "organisation", "person"]
        help_texts = {
            "seat": _("A seat of the meeting's body; or name a guest organisation or person"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_related(self, "seat", "organisation", "person", "body")


class DecisionForm(ScopedModelForm):
    class Meta:
        model = Decision
        fields = ["meeting", "number", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ActionItemForm(ScopedModelForm):
    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "raised_by",
            "meeting",
            "decision",
            "owner_organisation",
            "owner_person",
            "due_on",
            "tlp",
        ]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "owner_organisation": _(
                "Who owes the action: an organisation at any level, or a person — not both"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_related(self, "decision", "meeting")  # a decision is named by its meeting's day


class ActionUpdateForm(ScopedModelForm):
    """Progress on an item; a status chosen here moves the item too."""

    status = forms.ChoiceField(
        label=_("New status"), required=False, choices=STATUS_UNCHANGED + list(ActionStatus.choices)
    )

    class Meta:
        model = ActionUpdate
        fields = ["item", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


# --- the small forms on the meeting and action pages ---------------------------------------------


class AttendanceRecordForm(forms.Form):
    """Checkboxes of the body's seats current on the meeting's day."""

    seats = RecordsField(
        label=_("Present"),
        queryset=Seat.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, seats=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seats is not None:
            field: Any = self.fields["seats"]  # a ModelMultipleChoiceField
            field.queryset = seats


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    status = forms.ChoiceField(label=_("Meeting status"), choices=MeetingStatus.choices)


class DecisionQuickForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionProgressForm(forms.Form):
    """What happened, and the step it takes the item to: only the steps the workflow lets
    this user take now (see bodies.workflows)."""

    text = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Move to"), required=False)

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        status: Any = self.fields["status"]  # a ChoiceField
        status.choices = STATUS_UNCHANGED + [
            (step.target, f"{step.label} → {ACTION_ITEM.state_label(step.target)}")
            for step in steps
        ]
