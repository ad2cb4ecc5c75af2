"""Forms for granting roles; the role and place choices are those the granter may give."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .models import Role, RoleAssignment, User
from .policy import access_for

__all__ = ["RoleAssignmentForm"]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoleAssignmentForm(ScopedModelForm):
    email = forms.EmailField(
        label=_("Email of the person"),
        help_text=_(
            "If they have no account yet, one is created and they are emailed a link "
            "to choose a password."
        ),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)

    class Meta:
        model = RoleAssignment
        fields = ["role", "place", "hub", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(self.user)
        top_rank = (
            max(
                (held.rank for held, _p in access.grants(self.action, "access.roleassignment")),
                default=-1,
            )
            if access
            else -1
        )
        role: Any = self.fields["role"]  # a ModelChoiceField
        role.queryset = Role.objects.filter(rank__lte=top_rank)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            self.fields["full_name"].initial = self.instance.user.full_name
            self.fields["full_name"].disabled = True
        self.order_fields(["email", "full_name", "role", "place", "hub", "starts_on", "ends_on"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def existing_user(self) -> User | None:
        return User.objects.filter(email__iexact=self.cleaned_data["email"]).first()
