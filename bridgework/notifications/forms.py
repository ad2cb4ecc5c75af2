"""The email preferences form: one choice per declared notification kind."""

from __future__ import annotations

from typing import Any

from django import forms

from .kinds import kinds
from .models import EmailMode

__all__ = ["PreferencesForm", "field_name"]


def field_name(kind: str) -> str:
    """The form field of a kind (``bodies.action_assigned`` → ``bodies__action_assigned``)."""
    return kind.replace(".", "__")


class PreferencesForm(forms.Form):
    """``initial`` is the user's current mode per kind (see ``selectors.email_modes``)."""

    def __init__(self, *args: Any, modes: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in kinds().items():
            self.fields[field_name(name)] = forms.ChoiceField(
                label=kind.label,
                choices=EmailMode.choices,
                initial=modes.get(name, kind.default_email),
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, str]:
        """The cleaned choices by kind name."""
        return {name: self.cleaned_data[field_name(name)] for name in kinds()}
