"""A list's rows are written in Python (``ListedRow.html``): the same cells the template wrote
with ``{{ cell }}``, localized and escaped alike, the first a link to the record."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import override

from bridgework.web.viewsets import ListedRow
from tests.helpers import declared_subclasses

CELLS = [
    "<b>Name & Co</b> (demo)",
    mark_safe("<em>already safe</em>"),
    date(2026, 12, 4),
    Decimal("1234.5"),
    None,
    "",
    42,
    0,
    -7,
    1234567,
    True,
    12.5,
]


def _as_template_wrote(cells, url):
    template = Template(
        '{% for cell in cells %}{% if forloop.first %}<th scope="row"><a href="{{ url }}">'
        "{{ cell }}</a></th>{% else %}<td>{{ cell }}</td>{% endif %}{% endfor %}"
    )
    return template.render(Context({"cells": cells, "url": url}))


@pytest.mark.parametrize("grouped", [False, True], ids=["plain numbers", "thousands grouped"])
def test_cells_are_written_as_the_template_wrote_them(grouped, settings):
    settings.USE_THOUSAND_SEPARATOR = grouped
    for language in ("en", "fr"):
        with override(language):
            row = ListedRow(object(), CELLS, "/organisations/7/?a=1&b=2")
            assert row.html == _as_template_wrote(CELLS, "/organisations/7/?a=1&b=2")


def test_text_is_escaped_and_the_first_cell_links_to_the_record():
    html = ListedRow(object(), ["<script>x</script>", "<i>"], "/places/3/").html
    assert html.startswith('<th scope="row"><a href="/places/3/">&lt;script&gt;')
    assert "<script>" not in html and "<td>&lt;i&gt;</td>" in html


def test_a_row_still_unpacks_as_record_and_cells():
    record = object()
    obj, cells = ListedRow(record, ["a"], "/x/")
    assert obj is record and cells == ["a"]


def test_the_table_body_is_laid_out_as_the_template_loop_laid_it_out():
    from bridgework.web.viewsets import rows_html

    rows = [ListedRow(object(), CELLS, f"/x/{n}/") for n in range(3)]
    loop = Template("{% for row in rows %}<tr>\n    {{ row.html }}\n  </tr>{% endfor %}")
    assert rows_html(rows) == loop.render(Context({"rows": rows}))
    assert rows_html([]) == ""


def _viewsets():
    from bridgework.web.viewsets import ModelViewSet

    return [cls for cls in declared_subclasses(ModelViewSet) if getattr(cls, "model", None)]


def _columns_in_each_language():
    """Every viewset's ``(model, column, language)``, the language active while the caller
    looks at it."""
    for viewset in _viewsets():
        for column in viewset.columns:
            for language in ("en", "fr"):
                with override(language):
                    yield viewset.model, column, language


def _samples(field):
    if field.choices:
        return [value for value, _label in field.flatchoices] + ["not-a-choice", None]
    if field.get_internal_type() in {"BooleanField", "NullBooleanField"}:
        return [True, False, None]
    return ["<b>text</b>", 7, None]


def test_a_plain_column_reads_as_the_dotted_path_reads_it():
    """Columns of one plain field (or its choice's label) skip the general path: the same
    value for every choice, a boolean, an empty value, in either language."""
    from bridgework.web.viewsets import _plain_reader, resolve_attr

    checked = 0
    for model, column, language in _columns_in_each_language():
        read = _plain_reader(column, model, language)
        if read is None:
            continue
        name = column.attr
        is_label = name.startswith("get_") and name.endswith("_display")
        field = model._meta.get_field(name[4:-8] if is_label else name)
        for value in _samples(field):
            record = model()
            setattr(record, field.attname, value)
            assert read(record) == resolve_attr(record, name), (model, name, value)
            checked += 1
    assert checked > 100


def test_relations_paths_and_callables_keep_the_general_path():
    from bridgework.actors.models import Organisation
    from bridgework.web.viewsets import Column, _plain_reader

    for attr in ("place", "place.name", "place_id", "get_absolute_url", "themes", str):
        assert _plain_reader(Column(attr, "x"), Organisation, "en") is None, attr
    assert _plain_reader(Column("name", "x"), Organisation, "en") is not None


def test_a_list_joins_only_the_relations_it_names():
    """``select_related()`` with no name joins every relation: a list naming none joins none."""
    checked = 0
    for viewset in _viewsets():
        queryset = viewset.list_queryset(viewset.model._default_manager.all())
        named = viewset.list_select_related
        if named:
            assert queryset.query.select_related, viewset
            continue
        assert queryset.query.select_related is False, viewset
        checked += 1
    assert checked


class _EvenSeen:
    """A reader's sight that sees a record when its key is even: the same answer whichever
    way a cell asks."""

    def __init__(self) -> None:
        self.preloaded: list = []

    def preload(self, objects) -> None:
        self.preloaded.extend(objects)

    def sees(self, obj) -> bool:
        return obj is None or obj.pk % 2 == 0

    def shown(self, obj):
        from bridgework.access.policy import HIDDEN

        return obj if self.sees(obj) else HIDDEN


def _walked_records(model, links, keys, end_field, end_value):
    """A record of ``model`` with a chain of related records along ``links`` (their keys
    ``keys``; None leaves the link empty there), the last one holding ``end_value``."""
    record = current = model()
    for name, key in zip(links, keys, strict=True):
        field = current._meta.get_field(name)
        if key is None and not field.null:
            raise ValueError(f"{name} cannot be empty")
        related = None if key is None else field.related_model(pk=key)
        setattr(current, field.name, related)
        if related is None:
            return record
        current = related
    setattr(current, end_field.attname, end_value)
    return record


def test_a_path_column_reads_as_the_dotted_path_reads_it(monkeypatch):
    """Columns of forward relations to a plain field (``organisation.name``) are walked once:
    the same cell as the general path for every mix of records seen and hidden, an empty link
    on the way, every choice of the end field, in either language; and the records on the
    way are the ones the sight is asked about."""
    from itertools import product

    from bridgework.web import viewsets
    from bridgework.web.viewsets import _path_reader, rendered_rows

    sight = _EvenSeen()
    monkeypatch.setattr(viewsets, "sight_for", lambda user: sight)
    checked = 0
    for model, column, language in _columns_in_each_language():
        if _path_reader(column, model, language) is None:
            continue
        *links, end = column.attr.split(".")
        target = model
        for name in links:
            target = target._meta.get_field(name).related_model
        is_label = end.startswith("get_") and end.endswith("_display")
        end_field = target._meta.get_field(end[4:-8] if is_label else end)
        for keys in product([2, 3, None], repeat=len(links)):
            for value in _samples(end_field):
                try:
                    record = _walked_records(model, links, keys, end_field, value)
                except ValueError:  # a link that cannot be empty
                    continue
                sight.preloaded.clear()
                cells = rendered_rows([record], [column], user=None)
                expected = column.value(record, sight)
                assert cells == [[expected]], (model, column.attr, keys, value)
                seen_on_the_way = list(keys)
                if None in seen_on_the_way:
                    seen_on_the_way = seen_on_the_way[: seen_on_the_way.index(None)]
                assert [r.pk for r in sight.preloaded] == seen_on_the_way
                checked += 1
    assert checked > 100


def test_only_forward_relations_to_a_plain_field_are_walked():
    from bridgework.actors.models import Organisation
    from bridgework.funding.models import Application
    from bridgework.web.viewsets import Column, _path_reader

    refused = (
        "place",
        "name",
        "themes.name",
        "place.parent",
        "posts.title",
        "get_absolute_url",
        str,
    )
    for attr in refused:
        assert _path_reader(Column(attr, "x"), Organisation, "en") is None, attr
    for attr in ("place.name", "place.parent.name"):
        assert _path_reader(Column(attr, "x"), Organisation, "en") is not None, attr
    assert _path_reader(Column("call.fund.currency", "x"), Application, "en") is not None
