"""Form base: every choice a form offers is scoped to what the user may reach."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from bridgework.access.policy import model_label, places_for, tlp_choices_for
from bridgework.core.scoping import ScopedQuerySet
from bridgework.places.models import Place

from .widgets import PlacePicker, RecordPicker

__all__ = ["ScopedModelForm", "TransitionForm", "scope_form_choices"]

# Up to this many places a plain <select> is friendlier than a search box.
SELECT_LIMIT = 50


def scope_form_choices(form: forms.BaseForm, *, user, action: str, model) -> None:
    """Narrow place choices to where ``user`` may ``action`` a ``model``, other scoped choices to
    what they may view, and sensitivity labels to what they could read back."""
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            target = field.queryset.model
            if target is Place:
                field.queryset = places_for(user, action, model).order_by("path")
                if _more_than(field.queryset, SELECT_LIMIT):
                    field.widget = PlacePicker(for_model=model_label(model), action=action)
                    field.widget.choices = field.choices
            elif isinstance(field.queryset, ScopedQuerySet):
                field.queryset = field.queryset.visible_to(user, "view")
                searchable = getattr(target, "picker_search_field", None)
                single = not isinstance(field, forms.ModelMultipleChoiceField)
                if searchable and single and _more_than(field.queryset, SELECT_LIMIT):
                    field.widget = RecordPicker(model_label=model_label(target))
                    field.widget.choices = field.choices
        if name == "tlp" and isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
            field.choices = tlp_choices_for(user, action, model)


def _more_than(queryset, limit: int) -> bool:
    return queryset[: limit + 1].count() > limit


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        scope_form_choices(self, user=user, action=action, model=self._meta.model)


class TransitionForm(forms.Form):
    """A workflow step and its note (the step's rules are the workflow's, not the form's)."""

    transition = forms.CharField(max_length=60)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
