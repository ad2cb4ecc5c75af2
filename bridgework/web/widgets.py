"""Pickers: search boxes that stay light when there are thousands of choices."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

__all__ = ["PlacePicker", "RecordPicker"]


class _Picker(forms.Widget):
    """A search box whose results (radio buttons, fetched with htmx) pick one record.

    A ``<select>`` of every place in a national tree, or every organisation of a country, would
    weigh megabytes; this sends only the current choice and the matches of what the user types.
    The server still validates the choice against the field's scoped queryset.
    """

    template_name = "web/widgets/place_picker.html"
    lookup_url_name = ""

    def __init__(self, *, model_label: str, attrs=None):
        super().__init__(attrs)
        self.model_label = model_label
        self.choices = None  # set by the field: a ModelChoiceIterator

    def lookup_query(self, name: str) -> dict[str, str]:
        return {"field": name, "model": self.model_label}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        current = None
        if value not in (None, "") and str(value).isdigit():
            queryset = getattr(self.choices, "queryset", None)
            if queryset is not None:
                current = queryset.filter(pk=value).first()
        query = urlencode(self.lookup_query(name))
        context["widget"].update(
            current=current, lookup_url=f"{reverse(self.lookup_url_name)}?{query}"
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class PlacePicker(_Picker):
    """Places where the user may ``action`` a record of ``model_label``."""

    lookup_url_name = "places:place_pick"

    def __init__(self, *, action: str = "add", model_label: str = "", attrs=None):
        super().__init__(model_label=model_label, attrs=attrs)
        self.action = action

    def lookup_query(self, name: str) -> dict[str, str]:
        return {**super().lookup_query(name), "action": self.action}


class RecordPicker(_Picker):
    """Records of ``model_label`` the user may see (organisations, people, bodies…)."""

    lookup_url_name = "record_pick"
