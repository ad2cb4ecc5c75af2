"""Pickers: search boxes that stay light when there are thousands of choices."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.core.urls import fixed_url
from bridgework.places.models import Place
from bridgework.places.selectors import find_place, place_reference

__all__ = ["PICKED_SUFFIX", "PlacePicker", "PlacesPicker", "RecordPicker"]

# Sent with the matches of a search (never with the current choice): the radio button the
# user then chooses was picked among what they typed for.
PICKED_SUFFIX = "__picked"


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

    def current(self, value):
        """The record ``value`` names among the field's choices, and the value its radio button
        sends back."""
        queryset = getattr(self.choices, "queryset", None)
        if value in (None, "") or not str(value).isdigit() or queryset is None:
            return None, ""
        record = queryset.filter(pk=value).first()
        return record, (record.pk if record is not None else "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        current, current_value = self.current(value)
        query = urlencode(self.lookup_query(name))
        context["widget"].update(
            current=current,
            current_value=current_value,
            current_code=getattr(current, "code", "") or getattr(current, "pcode", ""),
            lookup_url=f"{fixed_url('record_pick')}?{query}",
            results_label=self.results_label,
            picked_marker=f"{name}{PICKED_SUFFIX}",
        )
        return context

    def value_from_datadict(self, data, files, name):
        """The chosen radio button, else the typed text (the field resolves it: a code, or a
        name only one record has, or says why not).

        Without JavaScript no match is offered to choose: the form still holds the radio
        button of the current choice, checked, and the text just typed. The text wins then,
        or typing another place would silently keep the old one. With JavaScript, the radio
        buttons come with the matches, marked as such (``<name>__picked``), and win."""
        chosen = data.get(name)
        typed = (data.get(f"{name}__search") or "").strip()
        if chosen and (not typed or data.get(f"{name}{PICKED_SUFFIX}")):
            return chosen
        return typed or chosen or None


class PlacePicker(RecordPicker):
    """A place where the user may ``action`` a record of ``for_model`` (a model label), as the
    form field's queryset (``places_for``) holds; without ``for_model``, a place they may view
    (a filter's choices)."""

    results_label = _("Chosen place")

    def __init__(
        self, *, for_model: str = "", action: str = "add", by_reference: bool = False, attrs=None
    ):
        super().__init__(
            model_label="places.place", for_model=for_model, action=action, attrs=attrs
        )
        # A filter's picker names places by reference (a code or a name), as the URLs of the
        # filtered pages do; a form's picker sends numbers, as its field expects.
        self.by_reference = by_reference
        # What the field already resolved while cleaning (text -> place), from the same
        # queryset: rendering the form then needs no second lookup.
        self.found: dict[str, Place] = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.found = {}  # each form's field resolves its own data
        return copy

    def lookup_query(self, name: str) -> dict[str, str]:
        query = super().lookup_query(name)
        if self.by_reference:
            query["ref"] = "1"
        return query

    def current(self, value):
        if not self.by_reference:
            return super().current(value)
        queryset = getattr(self.choices, "queryset", None)
        if value in (None, "") or queryset is None:
            return None, ""
        text = str(value).strip()
        place = self.found.get(text) or find_place(queryset, text)
        return place, (place_reference(place) if place is not None else "")


class PlacesPicker(PlacePicker):
    """Several places (a fund's eligible places, the places an item is about): the chosen ones
    as ticked boxes, and a search whose matches are boxes to tick. Unticking one removes it.

    Without JavaScript, a code or a name typed in the search box is added when the form is
    sent (one place at a time); the field says so when it names no place it may choose."""

    template_name = "web/widgets/places_picker.html"
    allow_multiple_selected = True
    results_label = _("Matching places")
    chosen_label = _("Chosen places")

    def lookup_query(self, name: str) -> dict[str, str]:
        return {**super().lookup_query(name), "multiple": "1"}

    def format_value(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def chosen(self, values: list[str]) -> list:
        queryset = getattr(self.choices, "queryset", None)
        wanted = [v for v in values if v.isdigit()]
        if queryset is None or not wanted:
            return []
        return list(queryset.filter(pk__in=wanted).order_by("path"))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        context["widget"].update(
            chosen=self.chosen(self.format_value(value)), chosen_label=self.chosen_label
        )
        return context

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist is not None else data.get(name, [])
        values = [v for v in (raw if isinstance(raw, list) else [raw]) if v]
        typed = (data.get(f"{name}__search") or "").strip()
        if typed and not data.get(f"{name}{PICKED_SUFFIX}"):
            queryset = getattr(self.choices, "queryset", None)
            place = find_place(queryset, typed) if queryset is not None else None
            # A place it names is added; anything else goes to the field, which refuses it.
            values.append(str(place.pk) if place is not None else typed)
        return values

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked means none chosen, as for checkboxes
