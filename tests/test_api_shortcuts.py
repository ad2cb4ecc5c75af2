"""The API's two shortcuts give ninja's and django-filter's own answers (decision 0009):
``RecordOut`` reads a record's fields in one pass, and a list with no filter parameter skips
its filter form."""

import datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from ninja import Field, Schema

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Theme
from bridgework.web.api_rows import RecordOut
from bridgework.web.filtering import ScopedFilterSet, filter_for_api, names_a_filter
from tests.helpers import declared_subclasses

pytestmark = pytest.mark.django_db


class _ThemeOut(Schema):
    slug: str
    name: str


def _fields(base):
    """One schema of every kind of field ninja's getter knows, on ``base``."""

    class Out(base):
        id: int
        name: str
        label: str = Field(..., alias="short_name")  # an alias: read under the alias
        place_name: str  # a resolver
        reader: str | None  # a resolver that takes the context
        missing: str = "fallback"  # no such attribute: the default
        absent_or_none: int | None = None
        themes: list[_ThemeOut]  # a related manager: its records
        sector_label: str  # a callable attribute: called
        created: datetime.date | None = None
        parent: int | None = Field(None, alias="parent_id")

        @staticmethod
        def resolve_place_name(obj) -> str:
            return obj.place.name

        @staticmethod
        def resolve_reader(obj, context) -> str | None:
            request = (context or {}).get("request")
            return getattr(request, "marker", None)

    return Out


class _NinjaOut(_fields(Schema)):  # type: ignore[misc]
    pass


class _OurOut(_fields(RecordOut)):  # type: ignore[misc]
    pass


@pytest.fixture
def organisation(tree):
    org = Organisation.objects.create(
        name="Riverton Youth Forum",
        short_name="RYF",
        sector=Sector.YOUTH,
        level=OrgLevel.LOCAL,
        place=tree.city,
    )
    org.themes.set(Theme.objects.order_by("pk")[:2])
    org.sector_label = org.get_sector_display  # a bound method: ninja calls callables
    return org


def test_a_record_reads_as_ninja_reads_it(organisation):
    request = RequestFactory().get("/")
    request.marker = "the reader"
    context = {"request": request}
    ours = _OurOut.model_validate(organisation, context=context)
    theirs = _NinjaOut.model_validate(organisation, context=context)
    assert ours.model_dump() == theirs.model_dump()
    assert ours.label == "RYF" and ours.missing == "fallback" and ours.reader == "the reader"
    assert ours.sector_label == organisation.get_sector_display()
    assert [theme.slug for theme in ours.themes] == [theme.slug for theme in theirs.themes]
    assert len(ours.themes) == 2


def test_a_missing_required_field_is_the_same_error(organisation):
    class NeedsMore(RecordOut):
        not_an_attribute: str

    class NinjaNeedsMore(Schema):
        not_an_attribute: str

    with pytest.raises(Exception) as ours:
        NeedsMore.model_validate(organisation)
    with pytest.raises(Exception) as theirs:
        NinjaNeedsMore.model_validate(organisation)
    assert type(ours.value) is type(theirs.value)
    assert ours.value.errors()[0]["type"] == theirs.value.errors()[0]["type"] == "missing"


def test_what_is_not_a_record_goes_through_ninja():
    plain = SimpleNamespace(
        id=1,
        name="A",
        short_name="B",
        place=SimpleNamespace(name="C"),
        themes=[],
        sector_label="Youth",
        parent_id=None,
    )
    ours = _OurOut.model_validate(plain)
    assert ours.model_dump() == _NinjaOut.model_validate(plain).model_dump()
    assert ours.place_name == "C"


# --- a list with no filter parameter -------------------------------------------------------------


def _filtersets():
    return [cls for cls in declared_subclasses(ScopedFilterSet) if cls._meta.model is not None]


def _data_keys(cls) -> list[str]:
    """Every query parameter the filters' form reads (a range's two halves included)."""
    form = cls().form
    keys = []
    for name, field in form.fields.items():
        names = getattr(field.widget, "widgets_names", None)
        keys.extend(f"{name}{suffix}" for suffix in names) if names else keys.append(name)
    return keys


@pytest.mark.parametrize("cls", _filtersets(), ids=lambda cls: cls.__qualname__)
def test_every_filter_parameter_is_noticed(cls):
    keys = _data_keys(cls)
    assert keys
    for key in keys:
        assert names_a_filter(cls, QueryDict(f"{key}=1")), key
    paging = {"limit", "after", "before", "format"}
    if not paging & set(cls.base_filters):
        assert not names_a_filter(cls, QueryDict("limit=5&after=x&before=y&format=csv"))


@pytest.mark.parametrize("cls", _filtersets(), ids=lambda cls: cls.__qualname__)
def test_no_filter_parameter_is_an_empty_filter(cls, tree):
    """Skipping the form gives what a bound, empty one gives: the same statement."""
    queryset = cls._meta.model._default_manager.visible_to(tree.in_scope, "view")
    request = RequestFactory().get("/", {"limit": "5"})
    request.user = tree.in_scope
    bound_but_empty = cls(QueryDict(""), queryset=queryset, request=request)
    assert bound_but_empty.is_valid(), bound_but_empty.errors
    skipped = filter_for_api(cls, request, queryset)
    assert str(skipped.query) == str(bound_but_empty.qs.query)


def test_a_range_filter_is_noticed_by_either_half():
    import django_filters

    class ByYear(django_filters.FilterSet):
        founded = django_filters.RangeFilter(field_name="pk")

        class Meta:
            model = Organisation
            fields: list[str] = []

    assert _data_keys(ByYear) == ["founded_0", "founded_1"]
    assert names_a_filter(ByYear, QueryDict("founded_1=3"))
    assert not names_a_filter(ByYear, QueryDict("founder=3&limit=5"))
