"""Form base: every choice a form offers is scoped to what the user may reach."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.policy import model_label, parents_for, places_for, tlp_choices_for
from bridgework.core.scoping import ScopedQuerySet
from bridgework.places.models import Place

from .widgets import PlacePicker, PlacesPicker, RecordPicker

__all__ = [
    "RecordsField",
    "ScopedModelForm",
    "fit_place_widget",
    "TransitionForm",
    "refusal_message",
    "refused_field",
    "scope_form_choices",
]

# Up to this many places a plain <select> is friendlier than a search box.
SELECT_LIMIT = 50

# The range of the keys (64-bit integers): a number beyond it names no record.
_KEYS = range(-(2**63), 2**63)


class RecordsField(forms.ModelMultipleChoiceField):
    """Several records by key, where a key beyond the database's integer range is an invalid
    choice like any other, not a database error (SQLite raises ``OverflowError`` on it, which
    would make the whole page a 404)."""

    def clean(self, value):
        for key in value if isinstance(value, list | tuple) else ():
            try:
                number = int(str(key).strip())
            except ValueError:
                continue  # not a number: Django's own check names it
            if number not in _KEYS:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super().clean(value)


def scope_form_choices(form: forms.BaseForm, *, user, action: str, model) -> None:
    """Narrow place choices to where ``user`` may ``action`` a ``model``, and so the records a
    new one takes its place from (``place_follows``: a meeting's body); other scoped choices to
    what they may view, and sensitivity labels to what they could read back."""
    follows = getattr(model, "place_follows", ())
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            target = field.queryset.model
            if target is Place:
                field.queryset = places_for(user, action, model).order_by("path")
                fit_place_widget(field, for_model=model_label(model), action=action)
            elif isinstance(field.queryset, ScopedQuerySet):
                decides_place = name in follows
                if decides_place:
                    field.queryset = parents_for(user, action, model, field.queryset)
                else:
                    field.queryset = field.queryset.visible_to(user, "view")
                searchable = getattr(target, "picker_search_field", None)
                single = not isinstance(field, forms.ModelMultipleChoiceField)
                if searchable and single and _more_than(field.queryset, SELECT_LIMIT):
                    field.widget = RecordPicker(
                        model_label=model_label(target),
                        for_model=model_label(model) if decides_place else "",
                        action=action,
                    )
                    field.widget.choices = field.choices
        if name == "tlp" and isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
            field.choices = tlp_choices_for(user, action, model)


def fit_place_widget(field, *, for_model: str = "", action: str = "view") -> None:
    """Give a field of one place or of several a picker when its choices are more than a list
    should hold. The picker offers what the field's queryset does: places where the user may
    ``action`` a ``for_model`` record, or, without ``for_model``, the places they may view."""
    if not _more_than(field.queryset, SELECT_LIMIT):
        return
    several = isinstance(field, forms.ModelMultipleChoiceField)
    picker = PlacesPicker if several else PlacePicker
    field.widget = picker(for_model=for_model, action=action)
    field.widget.choices = field.choices


def _more_than(queryset, limit: int) -> bool:
    return queryset[: limit + 1].count() > limit


def refused_field(form: forms.BaseForm) -> str | None:
    """The field to blame when saving is refused as out of reach: the place, or the record the
    place follows (a meeting's body); None for the form as a whole."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name in ("place", *getattr(model, "place_follows", ())):
        if name in form.fields:
            return name
    return None


def refusal_message(form: forms.BaseForm) -> str:
    """Why saving was refused, in words: the save would put the record outside the user's
    reach (``core.actions.ensure_in_scope``). The form keeps what was typed."""
    meta: Any = getattr(form, "_meta", None)
    options = meta.model._meta if meta is not None else None
    blamed = refused_field(form)
    words = {
        "model": options.verbose_name if options else _("record"),
        "models": options.verbose_name_plural if options else _("records"),
        "field": form.fields[blamed].label if blamed else "",
    }
    adding = getattr(form, "action", "add") == "add"
    if blamed and adding:
        message = _(
            "You may not save this %(model)s: its “%(field)s” lies outside the places where "
            "you may add %(models)s. Choose another; what you typed is kept."
        )
    elif blamed:
        message = _(
            "You may not save this %(model)s: its “%(field)s” lies outside the places where "
            "you may change %(models)s. Choose another; what you typed is kept."
        )
    elif adding:
        message = _(
            "You may not save this %(model)s: it would lie outside the places where you may "
            "add %(models)s. What you typed is kept."
        )
    else:
        message = _(
            "You may not save this %(model)s: it would lie outside the places where you may "
            "change %(models)s. What you typed is kept."
        )
    return message % words


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        scope_form_choices(self, user=user, action=action, model=self._meta.model)
        self._keep_current_parents()

    def _keep_current_parents(self) -> None:
        """An edit keeps offering the record a saved one already follows (an item raised by a
        national body and placed in a district the editor reaches), if the editor sees it."""
        if self.instance.pk is None:
            return
        for name in getattr(self._meta.model, "place_follows", ()):
            field: Any = self.fields.get(name)
            current = getattr(self.instance, f"{name}_id", None)
            if field is None or current is None or field.queryset.filter(pk=current).exists():
                continue
            seen = field.queryset.model._default_manager.visible_to(self.user, "view")
            field.queryset = field.queryset | seen.filter(pk=current)


class TransitionForm(forms.Form):
    """A workflow step and its note (the step's rules are the workflow's, not the form's)."""

    transition = forms.CharField(max_length=60)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
