"""Generic scoped pages: list, detail, add, edit, delete and history for one model.

Every view reads through ``visible_to`` before any lookup, so a record outside the user's
scope answers 404 exactly like one that does not exist (NetBox's ``restrict()``), and every
write goes through an action that re-checks the scope after saving.

A module declares a :class:`ModelViewSet` subclass and adds ``ViewSet.urls()`` to its URLconf.
"""

from __future__ import annotations

import html
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, ClassVar, Literal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import path, reverse
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from bridgework.access.policy import (
    HIDDEN,
    RecordingSight,
    Sight,
    access_record,
    can,
    log_sensitive_reads,
    permits,
    roles_allowed,
    sight_for,
)
from bridgework.activity.selectors import audit_history, timeline_of
from bridgework.activity.workflows import available_transitions, do_transition, workflow_for
from bridgework.core.actions import do_create_record, do_delete_record, do_update_record
from bridgework.core.money import Money
from bridgework.core.tabular import tabular_response
from bridgework.core.urls import record_urls
from bridgework.places.models import Place

from .filtering import ScopedFilterSet, SearchFilter
from .forms import TransitionForm, refusal_message, refused_field
from .pagination import page_of_request

__all__ = [
    "Column",
    "ModelViewSet",
    "RecordPage",
    "read_only_note",
    "rendered_rows",
    "joined",
    "money_column",
    "resolve_attr",
]


@dataclass(frozen=True)
class Column:
    """A list column: a dotted attribute path (or callable) and its heading.

    A related record on the path (``body.name``), or returned by the callable, is shown only
    to a reader who may see it (:class:`~bridgework.access.policy.Sight`). A callable that
    names related records itself takes ``(obj, sight)`` and says so with ``needs_sight``."""

    attr: str | Callable[..., Any]
    label: Any
    link: bool = False
    needs_sight: bool = False

    def value(self, obj: Any, sight: Sight | None = None) -> Any:
        if not callable(self.attr):
            return resolve_attr(obj, self.attr, sight)
        value = self.attr(obj, sight or Sight(None)) if self.needs_sight else self.attr(obj)
        if sight is not None and isinstance(value, models.Model):
            return sight.shown(value)
        return value

    def note(self, obj: Any, noted: RecordingSight) -> None:
        """Note the related records this cell would name, without rendering it."""
        if callable(self.attr):
            self.value(obj, noted)
            return
        value = obj
        for part in self.attr.split("."):
            value = getattr(value, part, None)  # methods (get_x_display) are not called
            if not isinstance(value, models.Model):
                return
            noted.sees(value)


def resolve_attr(obj: Any, dotted: str, sight: Sight | None = None) -> Any:
    """The value at ``dotted`` (``body.place.name``); :data:`HIDDEN` as soon as the path
    passes through a record the reader may not see."""
    value = obj
    for part in dotted.split("."):
        if value is None:
            return ""
        if (
            isinstance(value, models.Model)
            and part.startswith("get_")
            and part.endswith("_display")
        ):
            value = choice_label(value, part[4:-8])
            continue
        value = getattr(value, part)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
        if sight is not None and isinstance(value, models.Model) and not sight.sees(value):
            return HIDDEN
    return _shown_plain(value)


def money_column(amount: str, currency: str, label: Any) -> Column:
    """A column of the amount ``amount`` in the currency at the dotted path ``currency`` (the
    fund's): a :class:`~bridgework.core.money.Money`. The currency is the amount's unit, part
    of what the row itself shows, so it is read without asking the sight about the fund (it
    names nothing). The list loads the path's records, or at least their currency."""
    read_currency = operator.attrgetter(currency)

    def cell(obj: Any) -> Any:
        value = getattr(obj, amount)
        if value is None:
            return None
        try:
            return Money(value, read_currency(obj))
        except AttributeError:  # a link on the way is empty
            return value

    return Column(cell, label)


def joined(queryset: models.QuerySet, related: tuple[str, ...]) -> models.QuerySet:
    """``queryset`` joined to the ``related`` records it names, and to none when it names
    none: ``select_related()`` without a name would join every relation."""
    return queryset.select_related(*related) if related else queryset


def _shown_plain(value: Any) -> Any:
    """A value at the end of a column's path as a cell shows it: yes/no, or "" for none."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else value


@lru_cache(maxsize=512)
def _choice_labels(model: type[models.Model], field_name: str, language: str) -> dict[Any, str]:
    field = model._meta.get_field(field_name)
    return {value: str(label) for value, label in getattr(field, "flatchoices", ())}


def choice_label(obj: models.Model, field_name: str) -> str:
    """``obj.get_<field>_display()`` without rebuilding the choices on every call (Django
    makes and translates the whole list each time: a third of a list page's time)."""
    labels = _choice_labels(type(obj), field_name, get_language() or "")
    return _label_in(labels, getattr(obj, field_name))


def _label_in(labels: dict[Any, str], value: Any) -> str:
    """The choice's label, or the stored value itself when it is not one of the choices."""
    return labels.get(value, "" if value is None else str(value))


_UNSET: Any = object()


def _plain_field(model: type[models.Model], name: str) -> models.Field | None:
    """``model``'s concrete field ``name``, when it holds a plain value (not a relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete and not field.is_relation else None  # type: ignore[return-value]


def _plain_reader(column: Column, model: type, language: str) -> Callable[[Any], Any] | None:
    """A reader of ``column`` for rows of ``model`` when the column is one plain field or its
    choice's label: it can name no related record, so it needs no sight and no noting, and
    it gives what :func:`resolve_attr` gives. None for anything else (a dotted path, a
    callable, a relation, a property)."""
    if callable(column.attr) or "." in column.attr or not issubclass(model, models.Model):
        return None
    name = column.attr
    if name.startswith("get_") and name.endswith("_display"):
        field = _plain_field(model, name[4:-8])
        if field is None or not field.choices:
            return None
        labels = _choice_labels(model, field.name, language)
        attname = field.attname
        return lambda obj: _label_in(labels, getattr(obj, attname))
    field = _plain_field(model, name)
    if field is None:
        return None
    attname = field.attname
    return lambda obj: _shown_plain(getattr(obj, attname))


class _Walked(tuple):
    """A path column's cell before the sight is asked: ``(records on the path, end value)``."""


def _path_reader(column: Column, model: type, language: str) -> Callable[[Any], _Walked] | None:
    """A reader of ``column`` for rows of ``model`` when the column is a dotted path of
    forward relations ending in a plain field or its choice's label (``organisation.name``,
    ``call.fund.currency``): one walk gives the records on the way and the end value. The
    cell is the value when the reader sees every one of those records, else :data:`HIDDEN`:
    what :func:`resolve_attr` gives, without walking the path twice. None for anything else."""
    if callable(column.attr) or "." not in column.attr or not issubclass(model, models.Model):
        return None
    *links, end = column.attr.split(".")
    names: list[str] = []
    current: Any = model
    for name in links:
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not (field.concrete and (field.many_to_one or field.one_to_one)):
            return None  # a reverse relation, a many-to-many or something else: resolve_attr
        names.append(field.name)
        current = field.related_model
    read_end = _plain_reader(Column(end, ""), current, language)
    if read_end is None:
        return None

    def walk(obj: Any) -> _Walked:
        records: list[models.Model] = []
        value = obj
        for name in names:
            value = getattr(value, name)
            if value is None:
                return _Walked((records, ""))
            records.append(value)
        return _Walked((records, read_end(value)))

    return walk


def _column_reader(column: Column, model: type, language: str) -> Callable[[Any], Any] | None:
    return _plain_reader(column, model, language) or _path_reader(column, model, language)


def rendered_rows(objects: list[Any], columns: list[Column], user) -> list[list[Any]]:
    """The cells of ``objects`` for ``user``, asking in one query per model which of the
    records they name the user may see: a first pass notes them, the second renders.

    A callable column that does not ask the sight itself gives the same value in both passes:
    it is called once, in the first, and only its record (if it returns one) is checked in the
    second. A column of one plain field is read once, in the first (:func:`_plain_reader`);
    so is a path of forward relations to one, whose records are checked in the second
    (:func:`_path_reader`)."""
    noted = RecordingSight()
    asked = noted.asked
    computed: list[list[Any]] = []
    language = get_language() or ""
    readers_of: dict[type, list[Callable[[Any], Any] | None]] = {}
    for obj in objects:
        readers = readers_of.get(type(obj))
        if readers is None:
            readers = [_column_reader(column, type(obj), language) for column in columns]
            readers_of[type(obj)] = readers
        row: list[Any] = []
        for column, read in zip(columns, readers, strict=True):
            if read is not None:
                value = read(obj)
                if type(value) is _Walked:
                    asked.extend(value[0])
                row.append(value)
            elif callable(column.attr) and not column.needs_sight:
                value = column.attr(obj)
                if isinstance(value, models.Model):
                    noted.sees(value)
                row.append(value)
            else:
                column.note(obj, noted)
                row.append(_UNSET)
        computed.append(row)
    sight = sight_for(user)
    sight.preload(asked)
    sees = sight.sees
    return [
        [
            column.value(obj, sight)
            if value is _UNSET
            else (value[1] if all(map(sees, value[0])) else HIDDEN)
            if type(value) is _Walked
            else (sight.shown(value) if isinstance(value, models.Model) else value)
            for column, value in zip(columns, row, strict=True)
        ]
        for obj, row in zip(objects, computed, strict=True)
    ]


_AS_TEMPLATE_WOULD = Context(autoescape=True)  # localized and escaped, as {{ cell }} is


_HAS_SPECIAL = re.compile("[&<>\"']").search


def _escaped(text: str) -> str:
    """``html.escape(text)``, which Django's ``escape`` calls, skipped for the commonest text:
    nothing in it to escape."""
    return html.escape(text) if _HAS_SPECIAL(text) else text


def _cell_html(cell: Any, language: str, grouped: bool) -> str:
    """``{{ cell }}``: plain text escaped (the commonest cell, without the template's
    localisation machinery), anything else as the template renders it (in ``language``, the
    active one; ``grouped``: ``USE_THOUSAND_SEPARATOR``, read once for a list)."""
    if type(cell) is str:
        return _escaped(cell)
    if type(cell) is int and not grouped:
        return str(cell)  # what number_format gives a whole number it does not group
    if isinstance(cell, Money):
        return _escaped(cell.shown(language))
    return render_value_in_context(cell, _AS_TEMPLATE_WOULD)


def rows_html(rows: list[ListedRow]) -> SafeString:
    """The table body's rows, as ``_object_table.html`` lays them out."""
    language = get_language() or ""
    grouped = settings.USE_THOUSAND_SEPARATOR
    # Each row's cells escaped (ListedRow._cells).
    return SafeString(
        "".join(f"<tr>\n    {row._cells(language, grouped)}\n  </tr>" for row in rows)
    )


class ListedRow(tuple):
    """A list's row: ``(record, cells)``, the link to the record's page as ``url``, and its
    cells as HTML: the first a row header linking to the record.

    The cells are written here rather than by the template: looping over 50 × 6 cells with
    ``{% if forloop.first %}`` was most of a list page's rendering time."""

    url: str

    def __new__(cls, obj: Any, cells: list[Any], url: str) -> ListedRow:
        row = super().__new__(cls, (obj, cells))
        row.url = url
        return row

    @property
    def html(self) -> SafeString:
        return self.written(get_language() or "")

    def written(self, language: str) -> SafeString:
        """:attr:`html`, the active language given (a list asks for it once, not per row)."""
        return SafeString(self._cells(language, settings.USE_THOUSAND_SEPARATOR))

    def _cells(self, language: str, grouped: bool) -> str:
        cells = self[1]
        if not cells:
            return ""
        # The cells are escaped here; the link as format_html would escape it.
        url = self.url if isinstance(self.url, SafeData) else _escaped(self.url)
        head = f'<th scope="row"><a href="{url}">{_cell_html(cells[0], language, grouped)}</a></th>'
        rest = "".join([f"<td>{_cell_html(cell, language, grouped)}</td>" for cell in cells[1:]])
        return head + rest


class ScopedViewMixin(LoginRequiredMixin):
    viewset: ClassVar[type[ModelViewSet]]
    action: ClassVar[str] = "view"
    request: HttpRequest
    kwargs: dict[str, Any]

    @property
    def model(self) -> type[models.Model]:
        return self.viewset.model

    def scoped(self, action: str | None = None) -> models.QuerySet:
        queryset: Any = self.viewset.base_queryset(self.request)  # a ScopedQuerySet
        return queryset.visible_to(self.request.user, action or self.action)

    def get_object(self, action: str | None = None, *, channel: str | None = None):
        """The page's record: 404 unless visible, 403 unless the page's action is allowed."""
        return access_record(
            self.request.user,
            self.viewset.base_queryset(self.request),
            self.kwargs["pk"],
            action or self.action,
            channel=channel,
        )

    def context(self, **extra) -> dict[str, Any]:
        vs = self.viewset
        return {
            "viewset": vs,
            "model_name": vs.model._meta.verbose_name,
            "model_name_plural": vs.model._meta.verbose_name_plural,
            "url_names": vs.url_names(),
            "can_add": "add" in vs.pages and can(self.request.user, "add", vs.model),
            "can_export": "export" in vs.pages and can(self.request.user, "export", vs.model),
            **extra,
        }


class ListPage(ScopedViewMixin, View):
    def get(self, request, **kwargs):
        vs = self.viewset
        filterset = vs.filterset(request, self.scoped())
        if filterset.names_unknown_record():
            raise Http404
        queryset = filterset.qs
        if request.GET.get("format") in {"csv", "xlsx"} and "export" in vs.pages:
            if not can(request.user, "export", vs.model):
                raise PermissionDenied
            return vs.export(
                self.scoped("export").filter(pk__in=queryset.values("pk")),
                request.GET["format"],
                columns=vs.columns_for(request),
                user=request.user,
            )
        page = page_of_request(
            request,
            vs.list_queryset(queryset),
            ordering=vs.ordering,
            size=vs.page_size,
            # With only some columns loaded, the page's keys are found first from an index,
            # then only those rows are read (a large list is not sorted row by row).
            keys_first=bool(vs.list_only),
        )
        log_sensitive_reads(request.user, page.items)
        vs.attach_listed(page.items)
        columns = vs.columns_for(request)
        cells = rendered_rows(page.items, columns, request.user)
        # Each row's link resolved from one reverse() of the route, not one per row.
        url_of = record_urls(vs.url_names()["detail"])
        rows = [
            ListedRow(obj, row, url_of(obj.pk)) for obj, row in zip(page.items, cells, strict=True)
        ]
        context = self.context(
            page=page,
            rows=rows,
            rows_html=rows_html(rows),
            columns=columns,
            query=request.GET.get("q", ""),
            filterset=filterset,
            export_query=_export_query(request),
            filters=vs.filter_context(request),
        )
        template = "web/_object_table.html" if request.htmx else vs.list_template
        return render(request, template, context)


class DetailPage(ScopedViewMixin, View):
    def get(self, request, **kwargs):
        obj = self.get_object(channel="page")
        vs = self.viewset
        detail_columns = [
            field if isinstance(field, Column) else Column(*field) for field in vs.detail_fields
        ]
        values = rendered_rows([obj], detail_columns, request.user)[0]
        fields = [
            (column.label, value.shown() if isinstance(value, Money) else value)
            for column, value in zip(detail_columns, values, strict=True)
        ]
        steps = available_transitions(obj, request.user) if "transition" in vs.page_names() else []
        can_change = "edit" in vs.pages and permits(request.user, "change", obj)
        context = self.context(
            object=obj,
            fields=fields,
            tlp=getattr(obj, "tlp_label", None),
            can_change=can_change,
            read_only_note=read_only_note(obj) if "edit" in vs.pages and not can_change else "",
            can_delete="delete" in vs.pages and permits(request.user, "delete", obj),
            can_history="history" in vs.pages and permits(request.user, "history", obj),
            timeline=timeline_of(obj, request.user),
            transitions=steps,
            # Steps that take a note are buttons; those that take more link to their own form.
            plain_steps=[step for step in steps if not step.page],
            page_steps=[step for step in steps if step.page],
            **vs.detail_context(request, obj),
        )
        return render(request, vs.detail_template, context)


class TransitionPage(ScopedViewMixin, View):
    """POST a workflow step (``transition``, optional ``note``) for the record; the workflow
    decides who may (see bridgework.activity.workflows)."""

    action = "view"  # the step's own action and roles are checked by do_transition

    def post(self, request, **kwargs):
        obj = self.get_object()
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a step."))
        else:
            try:
                do_transition(
                    obj,
                    form.cleaned_data["transition"],
                    acting_user=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return HttpResponseRedirect(self.viewset.success_url(obj) + "#transitions")
            messages.success(request, _("Done: %(name)s.") % {"name": obj})
        return HttpResponseRedirect(self.viewset.success_url(obj))


class FormPage(ScopedViewMixin, View):
    def form(self, data=None, instance=None):
        form_class = self.viewset.form_class
        assert form_class is not None, f"{self.viewset.__name__} has pages that need a form_class"
        return form_class(
            data=data,
            instance=instance,
            user=self.request.user,
            action=self.action,
            initial=self.viewset.initial(self.request) if instance is None else None,
        )

    def render_form(self, form, obj=None, status=200):
        return render(
            self.request,
            self.viewset.form_template,
            self.context(form=form, object=obj),
            status=status,
        )

    def save(self, form, obj=None):
        try:
            if obj is None:
                saved = self.viewset.create(form, acting_user=self.request.user)
            else:
                saved = self.viewset.update(form, acting_user=self.request.user)
        except ValidationError as exc:
            _merge_errors(form, exc)
            return self.render_form(form, obj, status=400)
        except PermissionDenied:
            # The re-check after saving (core.actions.ensure_in_scope) refused a record out of
            # reach: the page says why and keeps what was typed, rather than a bare 403 page.
            form.add_error(refused_field(form), refusal_message(form))
            return self.render_form(form, obj, status=403)
        messages.success(self.request, _("Saved %(name)s.") % {"name": saved})
        return HttpResponseRedirect(self.viewset.success_url(saved))


class CreatePage(FormPage):
    action = "add"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "add", self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        return self.render_form(self.form())

    def post(self, request, **kwargs):
        form = self.form(data=request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        return self.save(form)


class UpdatePage(FormPage):
    action = "change"

    def get(self, request, **kwargs):
        obj = self.get_object()
        return self.render_form(self.form(instance=obj), obj)

    def post(self, request, **kwargs):
        obj = self.get_object()
        form = self.form(data=request.POST, instance=obj)
        if not form.is_valid():
            return self.render_form(form, obj, status=400)
        return self.save(form, obj)


class DeletePage(ScopedViewMixin, View):
    action = "delete"

    def get(self, request, **kwargs):
        obj = self.get_object()
        return render(request, "web/object_confirm_delete.html", self.context(object=obj))

    def post(self, request, **kwargs):
        obj = self.get_object()
        name = str(obj)
        try:
            self.viewset.delete(obj, acting_user=request.user)
        except (ValidationError, models.ProtectedError) as exc:
            message = (
                " ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else _("Other records still refer to this one.")
            )
            return render(
                request,
                "web/object_confirm_delete.html",
                self.context(object=obj, error=message),
                status=400,
            )
        messages.success(request, _("Deleted %(name)s.") % {"name": name})
        return HttpResponseRedirect(reverse(self.viewset.url_names()["list"]))


class RecordPage(ScopedViewMixin, View):
    """A page of one record that needs its own action (a module-declared one, such as a
    person's personal-data export): declare ``action`` and list the page in the viewset's
    ``extra_pages``; ``get_object()`` answers 404 or 403 as every page does."""


class HistoryPage(ScopedViewMixin, View):
    action = "history"

    def get(self, request, **kwargs):
        obj = self.get_object()
        entries = audit_history(obj, request.user)
        return render(request, "web/object_history.html", self.context(object=obj, entries=entries))


def read_only_note(obj: models.Model) -> str:
    """Why a reader sees no Edit button, in words taken from the policy: which roles change
    such a record, and where ("You can read this coordination body, not change it. It is
    changed by the Local coordinator or National coordinator for Lilongwe District or a place
    above it.")."""
    model = type(obj)
    roles = roles_allowed("change", model)
    words: dict[str, Any] = {"model": model._meta.verbose_name}
    if not roles:
        return _("You can read this %(model)s. Nobody changes it through these pages.") % words
    words["roles"] = (
        _("%(first)s or %(last)s") % {"first": ", ".join(roles[:-1]), "last": roles[-1]}
        if len(roles) > 1
        else roles[0]
    )
    place = obj if isinstance(obj, Place) else getattr(obj, "place", None)
    if place is None:
        return _("You can read this %(model)s, not change it. It is changed by the %(roles)s.") % (
            words
        )
    words["place"] = place.name
    return (
        _(
            "You can read this %(model)s, not change it. It is changed by the %(roles)s for "
            "%(place)s or a place above it."
        )
        % words
    )


def _rendered_in_chunks(
    records: models.QuerySet,
    columns: list[Column],
    user,
    attach: Callable[[list[Any]], None],
    size: int = 2000,
):
    """An export's rows, rendered a chunk at a time (a handful of queries per chunk)."""
    iterator = records.iterator(chunk_size=size)
    while chunk := list(islice(iterator, size)):
        attach(chunk)
        yield from rendered_rows(chunk, columns, user)


def _export_query(request) -> str:
    """The list's query string without its page cursors: what an export link keeps."""
    query = request.GET.copy()
    for key in ("after", "before", "format"):
        query.pop(key, None)
    return query.urlencode()


_SEARCH_ONLY: dict[type, type[ScopedFilterSet]] = {}


def _search_only_filterset(viewset: type[ModelViewSet]) -> type[ScopedFilterSet]:
    """For a list without a FilterSet of its own: a search box over its ``search_fields``."""
    if viewset not in _SEARCH_ONLY:
        attrs: dict[str, Any] = {
            "Meta": type("Meta", (), {"model": viewset.model, "fields": []}),
        }
        if viewset.search_fields:
            attrs["q"] = SearchFilter(*viewset.search_fields)
        _SEARCH_ONLY[viewset] = type(f"{viewset.__name__}Filters", (ScopedFilterSet,), attrs)
    return _SEARCH_ONLY[viewset]


def _merge_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ModelViewSet:
    """Declare one per model; ``urls()`` yields its pages."""

    model: ClassVar[type[models.Model]]
    form_class: ClassVar[type | None] = None
    columns: ClassVar[list[Column]] = []
    # (attribute, label) pairs, or a Column where a value needs more (money_column).
    detail_fields: ClassVar[list[tuple[str, Any] | Column]] = []
    ordering: ClassVar[tuple[str, ...]] = ("pk",)
    list_select_related: ClassVar[tuple[str, ...]] = ()
    # The list page loads only these fields (and the keys), when given: for a big table
    # whose rows carry long text and JSON the page never shows. Every column's field, the
    # ordering's and ``tlp`` must be among them, or each row costs a query more. Such a list
    # also finds its page's keys before its rows (``keyset_page(keys_first=True)``).
    list_only: ClassVar[tuple[str, ...]] = ()
    search_fields: ClassVar[tuple[str, ...]] = ()
    # The list's filters: the same FilterSet drives its form, its export and (through
    # web.filtering.filter_schema) the API's query parameters.
    filterset_class: ClassVar[type[ScopedFilterSet] | None] = None
    page_size: ClassVar[int] = 50
    initial_from_query: ClassVar[tuple[str, ...]] = ()
    pages: ClassVar[tuple[str, ...]] = (
        "list",
        "detail",
        "add",
        "edit",
        "delete",
        "history",
        "export",
    )
    url_prefix: ClassVar[str] = ""
    routes: ClassVar[dict[str, str]] = {}
    list_template: ClassVar[str] = "web/object_list.html"
    detail_template: ClassVar[str] = "web/object_detail.html"
    form_template: ClassVar[str] = "web/object_form.html"
    title: ClassVar[Any] = None
    # Actions ``f(obj, *, acting_user)`` that save a new / changed record; None means the
    # generic audited save with the scope re-check (bridgework.core.actions).
    create_action: ClassVar[Callable[..., Any] | None] = None
    update_action: ClassVar[Callable[..., Any] | None] = None
    page_classes: ClassVar[dict[str, type[View]]] = {
        "list": ListPage,
        "detail": DetailPage,
        "add": CreatePage,
        "edit": UpdatePage,
        "delete": DeletePage,
        "history": HistoryPage,
        "transition": TransitionPage,
    }
    # Pages of one record beyond the standard ones: page name -> (route after the prefix, page
    # class with its ``action``). The URL is named "<model>_<page>" like the others.
    extra_pages: ClassVar[dict[str, tuple[str, type[View]]]] = {}
    # With a workflow, the detail page offers its steps through the generic transition page;
    # a module with its own way of taking them (action items' progress form) turns it off.
    transition_page: ClassVar[bool] = True

    # --- hooks a module may override ---------------------------------------------------------

    @classmethod
    def base_queryset(cls, request) -> models.QuerySet:
        return cls.model._default_manager.all()

    @classmethod
    def list_queryset(cls, queryset: models.QuerySet) -> models.QuerySet:
        """What the list and its exports load of each row beyond the scoped, filtered
        queryset: by default the ``list_select_related`` joins, and only the ``list_only``
        columns when the viewset names them."""
        records = joined(queryset, cls.list_select_related)
        return records.only(*cls.list_only) if cls.list_only else records

    @classmethod
    def attach_listed(cls, rows: list[Any]) -> None:
        """Loads what the rows' cells read of related records, for a page's (or an export
        chunk's) rows at once, after they are read: a lighter stand-in for
        ``prefetch_related``, which builds a queryset and a cache per row. Nothing by default."""

    @classmethod
    def filterset(cls, request, queryset: models.QuerySet) -> ScopedFilterSet:
        """The list's filters bound to the request (``filterset_class``; without one, a
        search box over ``search_fields``)."""
        filterset_class = cls.filterset_class or _search_only_filterset(cls)
        return filterset_class(request.GET or None, queryset=queryset, request=request)

    @classmethod
    def filter_queryset(cls, queryset: models.QuerySet, request) -> models.QuerySet:
        return cls.filterset(request, queryset).qs

    @classmethod
    def filter_context(cls, request) -> dict[str, Any]:
        """Anything else the list template shows beside its filters."""
        return {}

    @classmethod
    def detail_context(cls, request, obj) -> dict[str, Any]:
        return {}

    @classmethod
    def initial(cls, request) -> dict[str, Any]:
        """Prefilled values of the add form: the foreign keys in ``initial_from_query`` taken
        from the query string (``?plan=3`` from the plan's "Add a priority" link); the form
        still offers only the records the user may choose."""
        return {
            name: request.GET[name]
            for name in cls.initial_from_query
            if request.GET.get(name, "").isdigit()
        }

    @classmethod
    def create(cls, form, *, acting_user) -> models.Model:
        if cls.create_action is not None:
            return cls.create_action(form.save(commit=False), acting_user=acting_user)
        return do_create_record(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def update(cls, form, *, acting_user) -> models.Model:
        if cls.update_action is not None:
            return cls.update_action(form.save(commit=False), acting_user=acting_user)
        return do_update_record(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def delete(cls, obj, *, acting_user) -> None:
        do_delete_record(obj, acting_user=acting_user)

    @classmethod
    def success_url(cls, obj) -> str:
        return reverse(cls.url_names()["detail"], args=[obj.pk])

    # --- export ------------------------------------------------------------------------------

    @classmethod
    def columns_for(cls, request) -> list[Column]:
        """The list's columns for this user (a module may hide what they may not read)."""
        return cls.columns

    @classmethod
    def export(
        cls,
        queryset: models.QuerySet,
        fmt: str,
        columns: list[Column] | None = None,
        *,
        user=None,
    ) -> HttpResponseBase:
        """Exactly the list's columns and rows (the same scope, the same related records
        hidden from ``user``), as a streamed CSV or XLSX."""
        columns = columns if columns is not None else cls.columns
        records = cls.list_queryset(queryset).order_by(*cls.ordering)
        kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
        return tabular_response(
            [str(column.label) for column in columns],
            _rendered_in_chunks(records, columns, user, cls.attach_listed),
            fmt=kind,
            filename=f"{cls.model._meta.model_name}.{kind}",
            sheet_title=str(cls.model._meta.verbose_name_plural),
        )

    # --- URLs --------------------------------------------------------------------------------

    @classmethod
    def url_names(cls) -> dict[str, str]:
        app = cls.model._meta.app_label
        name = cls.model._meta.model_name
        return {page: f"{app}:{name}_{page}" for page in cls.page_names() if page != "export"}

    @classmethod
    def page_names(cls) -> tuple[str, ...]:
        """The declared pages, plus the transition page when the model has a workflow."""
        names = (*cls.pages, *cls.extra_pages)
        if cls.transition_page and workflow_for(cls.model) is not None:
            return (*names, "transition")
        return names

    @classmethod
    def urls(cls) -> list:
        name = cls.model._meta.model_name
        prefix = cls.url_prefix or f"{name}s/"
        routes = {
            "list": "",
            "add": "add/",
            "detail": "<int:pk>/",
            "edit": "<int:pk>/edit/",
            "delete": "<int:pk>/delete/",
            "history": "<int:pk>/history/",
            "transition": "<int:pk>/transition/",
        } | cls.routes
        classes = dict(cls.page_classes)
        for page, (route, page_class) in cls.extra_pages.items():
            routes[page] = route
            classes[page] = page_class
        patterns = []
        for page, route in routes.items():
            if page in cls.page_names():
                view: Any = type(
                    f"{cls.__name__}{page.title()}", (classes[page],), {"viewset": cls}
                )
                patterns.append(path(prefix + route, view.as_view(), name=f"{name}_{page}"))
        return patterns

    @classmethod
    def page_actions(cls) -> dict[str, str]:
        """Each page of one record (and the add page and the export) with the policy action it
        needs: what the generated tests refuse to a role lacking it."""
        classes = {**cls.page_classes, **{p: c for p, (_r, c) in cls.extra_pages.items()}}
        actions = {
            page: getattr(classes[page], "action", "view")
            for page in cls.page_names()
            if page in classes and page not in {"list", "transition"}
        }
        if "export" in cls.pages:
            actions["export"] = "export"
        return actions
