"""Pickers: search boxes that stay light when there are thousands of choices."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["PlacePicker", "RecordPicker"]


class RecordPicker(forms.Widget):
    """A search box whose results (radio buttons fetched with htmx from ``record_pick``) pick
    one record of ``model_label`` the user may see (an organisation, a person, a body…).

    A ``<select>`` of every place in a national tree, or every organisation of a country, would
    weigh megabytes; this sends only the current choice and the matches of what the user types.
    The server still validates the choice against the field's scoped queryset.
    """

    template_name = "web/widgets/place_picker.html"
    results_label = _("Chosen record")  # names the radio group for screen readers

    def __init__(self, *, model_label: str, for_model: str = "", action: str = "add", attrs=None):
        super().__init__(attrs)
        self.model_label = model_label
        # For a field that decides where the new record lives (``place_follows``): offer only
        # records where the user may ``action`` a ``for_model``, as the field's queryset does.
        self.for_model = for_model
        self.action = action
        self.choices = None  # set by the field: a ModelChoiceIterator

    def lookup_query(self, name: str) -> dict[str, str]:
        query = {"model": self.model_label, "field": name}
        if self.for_model:
            query.update({"for": self.for_model, "action": self.action})
        return query

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        current = None
        queryset = getattr(self.choices, "queryset", None)
        if value not in (None, "") and str(value).isdigit() and queryset is not None:
            current = queryset.filter(pk=value).first()
        query = urlencode(self.lookup_query(name))
        context["widget"].update(
            current=current,
            lookup_url=f"{reverse('record_pick')}?{query}",
            results_label=self.results_label,
        )
        return context

    def value_from_datadict(self, data, files, name):
        # Without JavaScript no match is offered to choose: the typed text is sent instead,
        # and the field resolves it (a code, or a name only one record has) or says why not.
        return data.get(name) or data.get(f"{name}__search") or None


class PlacePicker(RecordPicker):
    """A place where the user may ``action`` a record of ``for_model`` (a model label), as the
    form field's queryset (``places_for``) holds; without ``for_model``, a place they may view
    (a filter's choices)."""

    results_label = _("Chosen place")

    def __init__(self, *, for_model: str = "", action: str = "add", attrs=None):
        super().__init__(
            model_label="places.place", for_model=for_model, action=action, attrs=attrs
        )
