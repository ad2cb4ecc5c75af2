"""Forms of the participation module: the staff's scoped forms, and the residents' own
(posting with a photo, commenting, reporting) and the moderators' decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .choices import ModerationDecision, OutcomeKind, ProposalStatus, ReportReason
from .models import Proposal, SupportThreshold, TownHall

__all__ = [
    "CloseAccountForm",
    "CommentForm",
    "JoinForm",
    "ModerationForm",
    "OutcomeForm",
    "PostProposalForm",
    "ProposalForm",
    "ReportForm",
    "SupportThresholdForm",
    "TownHallForm",
]

TEXT = forms.Textarea(attrs={"rows": 6})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProposalForm(ScopedModelForm):
    class Meta:
        model = Proposal
        fields = ["kind", "title", "body", "theme", "place"]
        widgets = {"body": TEXT}
        labels = {"place": _("Ward or city")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        place: Any = self.fields["place"]
        if self.instance.pk is None and not self.initial.get("place"):
            only = list(place.queryset[:2])
            if len(only) == 1:  # a resident of one ward need not choose it
                self.initial["place"] = only[0].pk

    def clean_place(self):
        """A proposal posted for the wrong place may move while nobody has taken it up (and
        goes before its new place); once it has moved on, its trail stays with its place."""
        place = self.cleaned_data.get("place")
        if self.instance.pk and place is not None and place.pk != self.instance.place_id:
            if (
                self.instance.status != ProposalStatus.NOT_ANSWERED
                or self.instance.referrals.exists()
            ):
                raise forms.ValidationError(
                    _("This proposal has moved on from its place: it stays where it was posted.")
                )
            self.instance.handled_at = place
        return place


class PostProposalForm(ProposalForm):
    """A resident's own form: the same fields and a photo (checked by what the file is)."""

    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A JPEG, PNG or WebP image. Do not show people's faces without asking them."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SupportThresholdForm(ScopedModelForm):
    class Meta:
        model = SupportThreshold
        fields = ["place", "supports", "note"]


class TownHallForm(ScopedModelForm):
    class Meta:
        model = TownHall
        fields = [
            "body",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "capacity",
            "agenda",
            "minutes",
            "attendance_count",
            "proposals",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "agenda": TEXT,
            "minutes": TEXT,
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should moderators look at it?"), choices=ReportReason)
    note = forms.CharField(label=_("Anything to add (optional)"), max_length=500, required=False)
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ModerationDecision)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("It becomes"), choices=OutcomeKind)
    priority: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Under the plan priority"),
        queryset=None,
        required=False,
        help_text=_("For a plan action: the priority of your place's plan it serves"),
    )

    def __init__(self, *args, user, **kwargs):
        from bridgework.plans.models import PlanAction, PlanPriority

        super().__init__(*args, **kwargs)
        priority: forms.ModelChoiceField = self.fields["priority"]  # type: ignore[assignment]
        priority.queryset = (
            PlanPriority.objects.visible_to(user, "view")
            .filter(plan__place__in=_places_adding(user, PlanAction))
            .select_related("plan")
        )


def _places_adding(user, model):
    from bridgework.access.policy import places_for

    return places_for(user, "add", model)


class JoinForm(forms.Form):
    """Sign-up: what a resident gives us is only what the platform needs."""

    email = forms.EmailField(
        label=_("Email"), help_text=_("Never shown to other residents. We send a link to it.")
    )
    public_name = forms.CharField(
        label=_("Public name"),
        max_length=60,
        help_text=_("Shown beside what you post. It need not be your real name."),
    )
    born_on = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only to check that you are old enough to take part; never shown."),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    home = forms.IntegerField(widget=forms.HiddenInput)


class CloseAccountForm(forms.Form):
    """Closing an account is for good: the resident types their password to confirm."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that you want to close your account."),
    )
