"""Forms for places and memberships; choices are scoped by ScopedModelForm."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .models import NetworkMembership, Place

__all__ = ["NetworkMembershipForm", "PlaceForm"]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlaceForm(ScopedModelForm):
    class Meta:
        model = Place
        fields = ["name", "parent", "code", "pcode", "opened_on", "closed_on", "succeeds"]
        widgets = {"opened_on": DATE, "closed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = True
        self.fields["parent"].help_text = _("The place this one lies in")
        if self.instance.pk:
            # A place cannot be its own parent or predecessor.
            for name in ("parent", "succeeds"):
                field: Any = self.fields[name]  # a ModelChoiceField; the stubs say Field
                field.queryset = field.queryset.exclude(pk=self.instance.pk)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_pcode(self):
        return self.cleaned_data["pcode"].strip().upper()


class NetworkMembershipForm(ScopedModelForm):
    class Meta:
        model = NetworkMembership
        fields = ["network", "place", "joined_on", "left_on"]
        widgets = {"joined_on": DATE, "left_on": DATE}
