"""Widgets that stay light on trees of thousands of places."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

__all__ = ["PlacePicker"]


class PlacePicker(forms.Widget):
    """A search box whose results (radio buttons, fetched with htmx) pick one place.

    A ``<select>`` of every place in a national tree would weigh megabytes; this sends only
    the current choice and the matches of what the user types. The server still validates the
    choice against the field's scoped queryset.
    """

    template_name = "web/widgets/place_picker.html"

    def __init__(self, *, action: str = "add", model_label: str = "", attrs=None):
        super().__init__(attrs)
        self.action = action
        self.model_label = model_label
        self.choices = None  # set by the field: a ModelChoiceIterator

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        current = None
        if value not in (None, ""):
            queryset = getattr(self.choices, "queryset", None)
            if queryset is not None:
                current = queryset.filter(pk=value).first() if str(value).isdigit() else None
        query = urlencode({"field": name, "action": self.action, "model": self.model_label})
        context["widget"].update(
            current=current,
            lookup_url=f"{reverse('places:place_pick')}?{query}",
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)
