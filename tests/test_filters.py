"""One FilterSet per list: the page, its export and the API read the same filters."""

import copy
import csv
import io

import django_filters
import pytest
from django.forms import HiddenInput
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils.translation import override
from django_filters import FilterSet

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.filters import ThreeWFilterSet
from bridgework.actors.models import Organisation, Person, Post
from bridgework.api import api
from bridgework.bodies.factories import ActionItemFactory, BodyFactory
from bridgework.places.actions import do_create_place
from bridgework.places.models import Place
from bridgework.web import filtering
from bridgework.web.filtering import ScopedFilterSet
from bridgework.web.widgets import PlacePicker
from tests.helpers import declared_subclasses

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _org(name, sector, place):
    return Organisation.objects.create(name=name, sector=sector, level=OrgLevel.LOCAL, place=place)


@pytest.fixture
def orgs(tree):
    return {
        "police": _org("Riverton Police", Sector.POLICE, tree.city),
        "youth": _org("Ward Youth Club", Sector.YOUTH, tree.ward),
        "elsewhere": _org("Hillbury Police", Sector.POLICE, tree.sibling),
    }


def _names(response) -> set[str]:
    assert response.status_code == 200
    return {obj.name for obj, _cells in response.context["rows"]}


def test_the_page_the_export_and_the_api_agree(tree, orgs):
    client = client_for(tree.in_scope)
    url = reverse("actors:organisation_list")
    assert _names(client.get(url, {"sector": "police"})) == {"Riverton Police"}
    export = client.get(url, {"sector": "police", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Riverton Police"]
    api_names = {
        item["name"]
        for item in client.get("/api/organisations", {"sector": "police"}).json()["items"]
    }
    assert api_names == {"Riverton Police"}


def test_a_subtree_by_number_code_or_unique_name(tree, orgs):
    client = client_for(tree.in_scope)
    url = reverse("actors:organisation_list")
    assert _names(client.get(url, {"place": tree.ward.pk})) == {"Ward Youth Club"}
    tree.ward.pcode = "XA0101"
    tree.ward.save()
    assert _names(client.get(url, {"place": "xa0101"})) == {"Ward Youth Club"}
    # Without JavaScript the picker sends only what was typed: a name one place has is enough.
    assert _names(client.get(url, {"place__search": "Riverton Ward 1"})) == {"Ward Youth Club"}


def test_an_ambiguous_name_is_a_form_error_not_a_404(tree, orgs):
    do_create_place(Place(name="Riverton Ward 1", parent=tree.city))  # a second one in reach
    response = client_for(tree.in_scope).get(
        reverse("actors:organisation_list"), {"place__search": "Riverton Ward 1"}
    )
    assert response.status_code == 200
    assert response.context["filterset"].errors["place"]
    assert _names(response) >= {"Riverton Police", "Ward Youth Club"}  # the filter is not applied


def test_a_place_out_of_reach_is_404_on_the_page_and_in_the_api(tree, orgs):
    client = client_for(tree.in_scope)
    sibling = tree.sibling.pk
    assert client.get(reverse("actors:organisation_list"), {"place": sibling}).status_code == 404
    assert client.get("/api/organisations", {"place": sibling}).status_code == 404
    unknown = client.get("/api/organisations", {"place": 10**9})
    assert unknown.status_code == 404  # the same answer as for a place that does not exist


def test_a_bad_value_is_a_422_naming_the_field(tree, orgs):
    response = client_for(tree.in_scope).get("/api/organisations", {"sector": "pirates"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["sector"]


def test_only_filters_narrow_when_ticked_and_never_invert(tree, orgs):
    person = Person.objects.create(full_name="Ola Officer", place=tree.city)
    Post.objects.create(person=person, organisation=orgs["police"], title="Now")
    Post.objects.create(
        person=person, organisation=orgs["police"], title="Before", ends_on="2020-01-01"
    )
    client = client_for(tree.in_scope)
    url = reverse("actors:post_list")
    every = {obj.title for obj, _cells in client.get(url).context["rows"]}
    current = {obj.title for obj, _cells in client.get(url, {"current": "on"}).context["rows"]}
    assert every == {"Now", "Before"} and current == {"Now"}
    api = client.get("/api/posts", {"current": "false"}).json()["items"]
    assert {item["title"] for item in api} == {"Now", "Before"}


def test_the_api_documents_exactly_the_pages_filters():
    schema = api.get_openapi_schema()
    parameters = schema["paths"]["/api/organisations"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters}
    assert {"q", "sector", "level", "theme", "place"} <= set(by_name)
    sector_ref = by_name["sector"]["schema"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert "police" in schema["components"]["schemas"][sector_ref]["enum"]
    assert "below" in by_name["place"]["description"]


def test_record_filters_show_as_a_removable_chip(tree):
    body = BodyFactory(place=tree.city, name="Riverton Peace Committee")
    ActionItemFactory(raised_by=body, title="Ours")
    ActionItemFactory(raised_by=BodyFactory(place=tree.city), title="Theirs")
    response = client_for(tree.in_scope).get(reverse("bodies:actionitem_list"), {"body": body.pk})
    assert {obj.title for obj, _cells in response.context["rows"]} == {"Ours"}
    chips = response.context["filterset"].record_chips()
    assert [(label, str(record)) for label, record, _rest in chips] == [
        ("Raised by", "Riverton Peace Committee")
    ]
    assert b"Remove the filter Raised by" in response.content


def test_a_hidden_record_filter_is_scoped_only_when_the_request_fills_it(tree, rf):
    from bridgework.bodies.filters import ActionItemFilterSet

    ours = BodyFactory(place=tree.city)
    theirs = BodyFactory(place=tree.other_country)
    request = rf.get("/")
    request.user = tree.in_scope

    def form(data):
        return ActionItemFilterSet(data, request=request).form

    for data in (None, QueryDict("q=x")):  # not asked: it offers nothing, and is valid
        assert not form(data).fields["body"].queryset.exists()
        assert data is None or form(data).is_valid()
    asked = form(QueryDict(f"body={ours.pk}"))
    assert asked.is_valid() and asked.cleaned_data["body"] == ours
    out_of_reach = ActionItemFilterSet(QueryDict(f"body={theirs.pk}"), request=request)
    assert not out_of_reach.form.is_valid() and out_of_reach.names_unknown_record()


# --- each instance's own copy of the declared filters (web.filtering._own_copy) ---------------


def _deep_copies(declared, model, parent):
    """What django-filter itself gives each instance."""
    own = copy.deepcopy(declared)
    own.model, own.parent = model, parent
    return own


def _first_choices(filterset_class) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, declared in filterset_class.base_filters.items():
        choices = declared.extra.get("choices")
        if isinstance(choices, list | tuple) and choices:
            data[name] = str(choices[0][0])
    return data


@pytest.mark.parametrize(
    "filterset_class", declared_subclasses(ScopedFilterSet), ids=lambda cls: cls.__qualname__
)
def test_each_filterset_reads_and_renders_as_with_django_filters_deep_copies(
    filterset_class, tree, rf, monkeypatch
):
    request = rf.get("/")
    request.user = tree.in_scope

    def seen(data):
        filterset = filterset_class(data, request=request)
        return str(filterset.form), str(filterset.qs.query), filterset.is_bound

    for data in (None, QueryDict(), _first_choices(filterset_class)):
        ours = seen(data)
        with monkeypatch.context() as patched:
            patched.setattr(filtering, "_own_copy", _deep_copies)
            assert seen(data) == ours
        with monkeypatch.context() as patched:  # django-filter's form class, deep-copying
            patched.setattr(ScopedFilterSet, "_filter_form", lambda self: FilterSet.form.fget(self))
            assert seen(data) == ours


# The filters' row loop as _filters.html wrote it: ``{% filter_fields %}`` writes the same.
FILTER_ROWS_AS_TEMPLATE = (
    '{% for field in form.visible_fields %}<div class="filter{% if field.errors %} has-error'
    '{% endif %}">{{ field.label_tag }} {{ field }}{{ field.errors }}</div>\n  {% endfor %}'
)


@pytest.mark.parametrize(
    "filterset_class", declared_subclasses(ScopedFilterSet), ids=lambda cls: cls.__qualname__
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_filter_rows_are_what_the_template_wrote(filterset_class, language, tree, rf):
    request = rf.get("/")
    request.user = tree.ancestor
    wrong = QueryDict(mutable=True)
    for name, declared in filterset_class.base_filters.items():
        if isinstance(declared, django_filters.ModelChoiceFilter | django_filters.NumberFilter):
            wrong[name] = "no such <thing> & more"
    for data in (None, _first_choices(filterset_class), wrong):
        with override(language):
            form = filterset_class(data, request=request).form
            tag = Template("{% load listing %}{% filter_fields form %}")
            written = tag.render(Context({"form": form}))
            expected = Template(FILTER_ROWS_AS_TEMPLATE).render(Context({"form": form}))
        assert written == expected
        shown = {field.name for field in form.visible_fields()}
        if data is wrong and shown & set(wrong):
            assert "has-error" in written  # a place that is not one: the field shows its error


def test_an_instance_s_changes_to_its_filters_stay_its_own(tree, rf):
    request = rf.get("/")
    request.user = tree.in_scope
    first, second = ThreeWFilterSet(request=request), ThreeWFilterSet(request=request)
    assert first.filters["sector"] is not second.filters["sector"]
    first.filters["theme"].queryset = Place.objects.none()
    first.filters["sector"].extra["choices"] = []
    assert second.filters["theme"].queryset.model is not Place
    assert second.filters["sector"].extra["choices"]
    assert ThreeWFilterSet.base_filters["sector"].extra["choices"]
    assert first.filters["sector"].parent is first and second.filters["sector"].parent is second
    # A method filter calls its method on its own copy's filter set.
    with_method = ThreeWFilterSet({"hub": "none"}, request=request)
    assert with_method.filters["hub"].filter.f is with_method.filters["hub"]


# --- unbound filter forms written once per key ({% filter_form %}) ----------------------------

# The form part of _filters.html as it was written inline: {% filter_form %} writes the same.
FILTER_FORM_AS_TEMPLATE = (
    '{% load i18n listing %}<form class="filters" method="get" hx-get="" '
    'hx-target="#object-table" hx-trigger="input delay:300ms, submit" hx-push-url="true" '
    "aria-label=\"{% translate 'Filters' %}\">\n"
    "  {% for field in filterset.form.hidden_fields %}{{ field }}{% endfor %}\n"
    '  {% filter_fields filterset.form %}<button type="submit">{% translate "Apply" %}</button>\n'
    "</form>"
)


def _readers(tree):
    """Readers whose filter forms may differ: every default role somewhere, and none."""
    from bridgework.access.factories import RoleAssignmentFactory, UserFactory
    from bridgework.access.roles import ROLE_SLUGS

    readers = [tree.in_scope, tree.ancestor, tree.no_role]
    for slug in sorted(ROLE_SLUGS):
        reader = UserFactory()
        RoleAssignmentFactory(user=reader, role=slug, place=tree.city)
        readers.append(reader)
    return readers


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_kept_filter_form_is_the_one_each_reader_would_get_written(language, tree, rf):
    from bridgework.web.templatetags import listing

    listing._WRITTEN_FORMS.clear()
    readers = _readers(tree)
    kept = 0
    for filterset_class in declared_subclasses(ScopedFilterSet):
        for data in (None, _first_choices(filterset_class)):
            for reader in readers:  # the first reader's form is kept, then given to the next
                request = rf.get("/")
                request.user = reader
                with override(language):
                    shown = Template("{% load listing %}{% filter_form filterset %}").render(
                        Context({"filterset": filterset_class(data, request=request)})
                    )
                    written = Template(FILTER_FORM_AS_TEMPLATE).render(
                        Context({"filterset": filterset_class(data, request=request)})
                    )
                assert shown == written, (filterset_class.__name__, reader, data)
        kept = len(listing._WRITTEN_FORMS)
    assert kept >= len(declared_subclasses(ScopedFilterSet)) // 2  # most are kept


def test_a_filter_form_is_kept_only_unbound_and_without_records_to_list(tree, rf):
    request = rf.get("/")
    request.user = tree.in_scope
    for filterset_class in declared_subclasses(ScopedFilterSet):
        assert filterset_class(QueryDict("q=x"), request=request).unbound_form_key() is None
        unbound = filterset_class(request=request)
        lists_records = any(
            isinstance(getattr(field.widget, "choices", None), ModelChoiceIterator)
            and not isinstance(field.widget, HiddenInput | PlacePicker)
            for field in unbound.form.fields.values()
        )
        assert (unbound.unbound_form_key() is None) == lists_records, filterset_class


def test_the_key_follows_what_the_form_shows(tree, rf):
    request = rf.get("/")
    request.user = tree.in_scope
    from bridgework.funding.filters import ApplicationFilterSet

    first, second = ApplicationFilterSet(request=request), ApplicationFilterSet(request=request)
    assert first.unbound_form_key() == second.unbound_form_key()
    for change in (
        lambda form: setattr(form.fields["q"], "label", "Another label"),
        lambda form: form.fields["q"].widget.attrs.update(placeholder="Type"),
        lambda form: setattr(form.fields["status"], "choices", [("x", "Only x")]),
        lambda form: setattr(form.fields["q"], "initial", "hate"),
        lambda form: form.fields.pop("call"),
    ):
        changed = ApplicationFilterSet(request=request)
        change(changed.form)
        assert changed.unbound_form_key() != first.unbound_form_key()
    with override("fr"):
        assert ApplicationFilterSet(request=request).unbound_form_key() != first.unbound_form_key()
    picked = ApplicationFilterSet(request=request)
    picked.form.fields["subtree"].initial = tree.city.pk  # it would show a place: not kept
    assert picked.unbound_form_key() is None
