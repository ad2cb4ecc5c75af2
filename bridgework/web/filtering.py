"""Filters: one django-filter ``FilterSet`` per list drives its page form, its export and its
API query parameters (see docs/decisions/0002-filters.md).

* :class:`ScopedFilterSet` scopes every choice its form offers to what the request's user may
  see, so a filter can never name a record out of reach: such a value is not a valid choice,
  and the list answers 404 as the record's own page would. On the page, a place is chosen
  with the place picker; a filter naming another record (``?body=3``, as the links from a
  body's page carry) is kept as a hidden field and shown as a removable chip.
* :class:`SubtreeFilter` filters by a place *and everything below it*, through the path range
  of :mod:`bridgework.core.paths` (an index seek, never ``LIKE``).
* :class:`SearchFilter` is the list's free-text box over several fields.
* :func:`filter_schema` turns a ``FilterSet`` into the ninja ``Schema`` an endpoint declares as
  ``Query[...]``, so the OpenAPI document lists exactly the filters the page has;
  :func:`filter_for_api` applies it and answers 422 with the field errors when a value is bad.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import enum
from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any, ClassVar, TypeVar

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import Http404, QueryDict
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field, create_model

from bridgework.core.paths import subtree_q
from bridgework.core.scoping import ScopedQuerySet
from bridgework.places.models import Place
from bridgework.places.selectors import find_place, place_reference

from .widgets import PlacePicker

__all__ = [
    "PlaceChoiceField",
    "OnlyFilter",
    "ScopedFilterSet",
    "SearchFilter",
    "SubtreeFilter",
    "filter_for_api",
    "filter_schema",
    "filters_of",
    "scope_choice",
]


class PlaceChoiceField(forms.ModelChoiceField):
    """A place, given by its number, its ISO 3166 code or P-code (``MW-LI``, ``MW2010``), its
    exact name when only one place the reader may see has it, or that name followed by the
    names of the places above it (``Chilinde, Lilongwe City``): what people type (also
    without JavaScript, when the picker's search text is all that is sent) and what URLs
    carry (:func:`~bridgework.places.selectors.place_reference`)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isdigit():
            place = super().to_python(text)
        else:
            queryset: Any = self.queryset
            place = find_place(queryset, text)
        if place is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        if isinstance(self.widget, PlacePicker):
            self.widget.found[text] = place  # the form then shows it without a second query
        return place

    def prepare_value(self, value):
        """A place is written back into a filter form (and so into the URL) by its reference,
        not its number."""
        if isinstance(value, Place):
            return place_reference(value)
        return super().prepare_value(value)


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """Records at a place or anywhere below it. ``field_name`` is the records' path column
    (``place_path`` for scoped records, ``path`` for places themselves)."""

    field_class = PlaceChoiceField

    def __init__(self, field_name: str = "place_path", **kwargs):
        kwargs.setdefault("queryset", Place.objects.all())
        kwargs.setdefault("label", _("Place"))
        kwargs.setdefault("help_text", _("This place and every place below it"))
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(subtree_q(self.field_name, value.path))


class SearchFilter(django_filters.CharFilter):
    """Free text matched against several fields: ``contains`` for text, ``iexact`` for codes.

    ``fields`` items are ``name`` (case-insensitive contains) or ``name:exact``."""

    def __init__(self, *fields: str, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(field_name=fields[0].split(":")[0] if fields else "pk", **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        text = (value or "").strip()
        if not text or not self.search_fields:
            return qs
        parts = []
        for spec in self.search_fields:
            name, _sep, how = spec.partition(":")
            lookup = "iexact" if how == "exact" else "icontains"
            parts.append(Q(**{f"{name}__{lookup}": text}))
        return qs.filter(reduce(or_, parts))


class OnlyFilter(django_filters.BooleanFilter):
    """A tick box that narrows the list when ticked ("Current posts only") and does nothing
    otherwise: there is no "only the others" half to trip over. ``?current=true`` in the API.

    With ``field_name`` + ``lookup_expr`` it filters ``field__lookup=True``; with ``method`` the
    method is called only when ticked."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is not True:
            return qs
        return super().filter(qs, value)


def _own_copy(declared: django_filters.Filter, model, parent) -> django_filters.Filter:
    """An instance's copy of a declared filter. Filters are changed per instance only by
    setting an attribute (``filters["hub"].queryset = …``) or, in django-filter itself, a key
    of ``extra``: a copy of the filter and of ``extra`` keeps every instance's changes its own.
    A filter with a ``method`` holds a caller of it that points back at the filter, so the copy
    gets its own (``tests/test_filters.py`` holds all this to django-filter's deep copies)."""
    own = copy.copy(declared)
    own.extra = dict(declared.extra)
    own.__dict__.pop("_field", None)  # built per instance, from the instance's attributes
    if declared.method is not None:
        own.method = declared.method  # its caller, bound to this copy (and so to ``parent``)
    own.model = model
    own.parent = parent
    return own


class ScopedFilterSet(django_filters.FilterSet):
    """A ``FilterSet`` whose choices are scoped to the request's user."""

    # The action the filtered list is read for: choices offer what may be read.
    scope_action: ClassVar[str] = "view"

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for its deep copy of every declared filter (and of
        # each one's queryset and choices) per instance: a sixth of a list's filter work.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {
            name: _own_copy(filter_, queryset.model, self)
            for name, filter_ in self.base_filters.items()
        }
        self.user = getattr(request, "user", None)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = self._filter_form()
            form.auto_id = "list-%s"  # ids that do not clash with the page's other forms
            for name, field in form.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    asked = self.is_bound and self.data.get(form.add_prefix(name)) not in (None, "")
                    scope_choice(field, self.user, asked=asked)
        return self._form

    def _filter_form(self) -> forms.Form:
        """django-filter's form, without its per-request form class: django-filter makes a
        class of the filters' fields, whose instance then deep-copies every field (each
        queryset, widget and choice list) that this instance's filters had just built for it
        alone. Here the form takes those fields as they are: the same fields, in the same
        order, half the work (``tests/test_filters.py`` compares the two). A form class that
        declares fields of its own is left to django-filter."""
        form_class = self._meta.form
        if form_class.base_fields:
            return super().form
        if self.is_bound:
            form = form_class(self.data, prefix=self.form_prefix)
        else:
            form = form_class(prefix=self.form_prefix)
        form.fields = {name: filter_.field for name, filter_ in self.filters.items()}
        if form.field_order is not None:
            form.order_fields(form.field_order)
        self._form = form
        return form

    def unbound_form_key(self) -> tuple | None:
        """Everything the HTML of this filter set's form depends on, when it is unbound and
        lists no records (``{% filter_form %}`` writes such a form once per key); None
        otherwise. The key is read off the form as built for this request (its fields as the
        filter set's ``__init__`` left them for this user), field by field: each field's and
        widget's own settings, the labels in the active language, the choices a select
        offers. A select of records (its choices a query), a bound form or a setting the key
        cannot hold (an object it does not know) gives None: the form is written anew."""
        if self.is_bound:
            return None
        form = self.form
        initial = {
            name: form.get_initial_for_field(field, name) for name, field in form.fields.items()
        }
        for name, field in form.fields.items():
            if isinstance(field.widget, _RECORDLESS_WIDGETS) and initial[name] not in (
                None,
                "",
                [],
                (),
            ):
                return None  # it would show a record: written anew, from the database
        try:
            fields = tuple(
                (
                    name,
                    type(field),
                    _field_state(field),
                    _plain(initial[name]),  # as shown (a callable's value of the day)
                    type(field.widget),
                    _widget_state(field.widget),
                )
                for name, field in form.fields.items()
            )
            settings_of_form = _plain(
                (
                    form.prefix,
                    form.auto_id,
                    form.label_suffix,
                    form.initial,
                    form.use_required_attribute,
                )
            )
        except _NotPlain:
            return None
        return (
            type(self),
            fields,
            settings_of_form,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
        )

    def record_chips(self) -> list[tuple[str, Any, str]]:
        """(label, record, query string without it) for each record filter in force."""
        if not self.is_bound or not self.form.is_valid():
            return []
        chips = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if isinstance(field.widget, forms.HiddenInput) and value is not None:
                rest = self.data.copy()
                for key in (name, "after", "before"):
                    rest.pop(key, None)
                chips.append((str(field.label), value, rest.urlencode()))
        return chips

    def names_unknown_record(self) -> bool:
        """Whether a filter names a record the user cannot see (or that does not exist): the
        list then answers 404, as the record's own page would."""
        if not self.is_bound or self.form.is_valid():
            return False
        return any(
            isinstance(self.form.fields[name], forms.ModelChoiceField)
            and str(self.data.get(name, "")).strip().isdigit()  # a record's number, not text
            and any(error.code == "invalid_choice" for error in errors.as_data())
            for name, errors in self.form.errors.items()
            if name in self.form.fields
        )

    @property
    def active(self) -> dict[str, Any]:
        """The filters in force (valid and not empty): what an export or a heading names."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}


def scope_choice(field: forms.ModelChoiceField, user, *, asked: bool = True) -> None:
    """Choices the user may see; places through the picker, other records as a hidden value
    (a <select> of every meeting in a country would weigh megabytes and help nobody).

    A hidden record filter the request does not fill (``asked`` false) offers no record at
    all: nothing reads its choices, and scoping them (a fund's call within a visible fund)
    cost each list page a quarter of a millisecond for nothing."""
    queryset: Any = field.queryset
    model = queryset.model
    if model is Place and isinstance(field, PlaceChoiceField):
        field.queryset = Place.objects.visible_to(user, "view")
        # The places the user may view, as the queryset; chosen places are named by their
        # reference, so the filtered page's address never shows an internal number.
        field.widget = PlacePicker(by_reference=True)
        field.widget.choices = field.choices
    elif isinstance(queryset, ScopedQuerySet) or hasattr(queryset, "visible_to"):
        field.queryset = queryset.visible_to(user, "view") if asked else queryset.none()
        field.widget = forms.HiddenInput()


# --- the API side --------------------------------------------------------------------------------


def _python_type(field: forms.Field, enum_name: str) -> Any:
    """The type a query parameter of this form field has in the OpenAPI document."""
    if isinstance(field, PlaceChoiceField):
        return str  # a number, an ISO code or a P-code
    if isinstance(field, forms.ModelChoiceField):
        return str if field.to_field_name else int
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return bool
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        values = [str(value) for value, _label in choices if value not in ("", None)]
        if values:
            return enum.Enum(enum_name, {v: v for v in values}, type=str)
        return str
    if isinstance(field, forms.DateTimeField):
        return datetime.datetime
    if isinstance(field, forms.DateField):
        return datetime.date
    if isinstance(field, forms.IntegerField):
        return int
    if isinstance(field, forms.DecimalField):
        return decimal.Decimal
    return str


SchemaT = TypeVar("SchemaT", bound=type[Schema])


def filters_of(filterset_class: type[django_filters.FilterSet]) -> Callable[[SchemaT], SchemaT]:
    """Class decorator: the ninja ``Schema`` of an endpoint's query parameters, one per filter
    of ``filterset_class``::

        @filters_of(PlaceFilterSet)
        class PlaceFilters(Schema):
            pass
    """

    def build(schema: SchemaT) -> SchemaT:
        return filter_schema(filterset_class, schema.__name__, base=schema)  # type: ignore[return-value]

    return build


def filter_schema(
    filterset_class: type[django_filters.FilterSet], name: str, *, base: type[Schema] = Schema
) -> type[Schema]:
    """A ninja ``Schema`` with one optional query parameter per filter of ``filterset_class``,
    described by the filter's label and help text. Choices are those of an unscoped form."""
    # The bare form class, unscoped and never evaluated: only the fields' shapes are read, so
    # building the schema at import time runs no query.
    form = filterset_class().get_form_class()()
    fields: dict[str, Any] = {}
    for field_name, field in form.fields.items():
        description = str(field.help_text or field.label or field_name)
        extra: dict[str, Any] = {}
        python_type = _python_type(field, f"{name}{field_name.title().replace('_', '')}")
        if python_type is str and getattr(field, "max_length", None):
            extra["max_length"] = field.max_length
        fields[field_name] = (
            python_type | None,
            Field(None, description=description, **extra),
        )
    return create_model(name, __base__=base, **fields)


def names_a_filter(filterset_class: type[django_filters.FilterSet], params) -> bool:
    """Whether a query parameter is one of the filters' (a range's ``name_min``… included).
    An empty filter never narrows a list, so without one there is nothing to filter."""
    names = filterset_class.base_filters.keys()
    return any(key in names or any(key.startswith(f"{name}_") for name in names) for key in params)


def filter_for_api(
    filterset_class: type[django_filters.FilterSet], request, queryset: QuerySet
) -> QuerySet:
    """``queryset`` filtered by the request's query parameters: 404 when one names a record
    the user cannot see (as that record's own endpoint would answer), 422 naming each other
    bad value."""
    if not names_a_filter(filterset_class, request.GET):
        return queryset  # what a bound but empty form would give, without building the form
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if isinstance(filterset, ScopedFilterSet) and filterset.names_unknown_record():
        raise Http404
    if not filterset.is_valid():
        error = HttpError(422, "The request is not valid.")
        error.field_errors = [  # type: ignore[attr-defined]
            {"field": field, "message": str(message)}
            for field, messages in filterset.errors.items()
            for message in messages
        ]
        raise error
    return filterset.qs


# --- what an unbound filter form's HTML depends on (ScopedFilterSet.unbound_form_key) ----------


class _NotPlain(Exception):
    """A setting the key cannot hold as a value."""


_PLAIN_TYPES = (str, int, float, bool, type(None), decimal.Decimal, datetime.date, type)
# Set for every field, never shown by an unbound form: its checks and their messages, and the
# records a hidden or picker field would accept (such a field shows none until it has a value).
_UNSHOWN_FIELD_STATE = frozenset({"validators", "error_messages", "_queryset", "limit_choices_to"})
# Widgets that show no records unbound (a hidden value, the place picker's search box).
_RECORDLESS_WIDGETS = (forms.HiddenInput, PlacePicker)


class _Same:
    """A lazy text in a key: the text itself, compared by identity. Its words are the active
    language's, which the key holds; translating each label to compare it cost more than
    writing the form. The key keeps it alive, so no other object takes its identity."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is _Same and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


def _plain(value: Any) -> Any:
    """``value`` as a hashable value that compares as its content (a lazy text, a function
    or a class: as itself). Raises :class:`_NotPlain` for anything else."""
    if isinstance(value, _PLAIN_TYPES) or callable(value) and hasattr(value, "__qualname__"):
        return value  # a function or a class compares by identity, as it is used
    if isinstance(value, Promise):
        return _Same(value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    raise _NotPlain(type(value).__name__)


def _field_state(field: forms.Field) -> tuple:
    return tuple(
        (name, _plain(list(value) if name == "_choices" else value))
        for name, value in sorted(vars(field).items())
        if name != "widget"
        and name not in _UNSHOWN_FIELD_STATE
        and not (name == "_choices" and isinstance(value, ModelChoiceIterator))
    )


def _widget_state(widget: forms.Widget) -> tuple:
    state = []
    for name, value in sorted(vars(widget).items()):
        if name in {"choices", "_choices"}:
            if isinstance(value, ModelChoiceIterator):
                if isinstance(widget, _RECORDLESS_WIDGETS):
                    continue
                raise _NotPlain("a select of records")
            value = list(value)  # the options a select shows, as it will show them
        elif name == "found" and not value:
            continue  # the picker's places resolved while cleaning: none, unbound
        state.append((name, _plain(value)))
    return tuple(state)
