"""Places named as people name them (codes, names, names with the places above), never by
their internal number: what URLs, file names and exports carry, and what filters read back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.places.actions import do_create_place
from bridgework.places.models import Place
from bridgework.places.selectors import (
    file_name_part,
    find_place,
    place_reference,
    place_references,
)

pytestmark = pytest.mark.django_db


def test_a_place_is_named_by_its_code_its_p_code_else_its_name(tree):
    tree.ward.pcode = "XA0101"
    tree.ward.save()
    assert place_reference(tree.region) == "XA-N"
    assert place_reference(tree.ward) == "XA0101"
    assert place_reference(tree.city) == "Riverton"
    assert file_name_part(tree.region) == "XA-N"
    assert file_name_part(tree.city) == "riverton"


def test_namesakes_are_told_apart_by_the_places_above(tree):
    here = do_create_place(Place(name="Chilinde", parent=tree.ward))
    there = do_create_place(Place(name="Chilinde", parent=tree.sibling))
    refs = place_references([here, there, tree.city])
    assert refs == {
        here.pk: "Chilinde, Riverton Ward 1",
        there.pk: "Chilinde, Hillbury",
        tree.city.pk: "Riverton",
    }
    assert file_name_part(here) == "chilinde-riverton-ward-1"
    everywhere = Place.objects.all()
    assert find_place(everywhere, "Chilinde") is None  # ambiguous
    assert find_place(everywhere, "chilinde, riverton ward 1") == here
    assert find_place(everywhere, "Chilinde, Hillbury") == there
    assert find_place(everywhere, "Chilinde, Nowhere") is None
    # Each reference reads back as its place, whoever wrote it.
    for place in (here, there, tree.city, tree.region):
        assert find_place(everywhere, place_reference(place)) == place


def test_same_name_same_parent_name_goes_further_up(tree):
    north = do_create_place(Place(name="Centre", parent=tree.ward))
    south_city = do_create_place(Place(name="Riverton Ward 1", parent=tree.sibling))
    south = do_create_place(Place(name="Centre", parent=south_city))
    refs = place_references([north, south])
    assert refs[north.pk] == "Centre, Riverton Ward 1, Riverton"
    assert refs[south.pk] == "Centre, Riverton Ward 1, Hillbury"
    assert find_place(Place.objects.all(), refs[south.pk]) == south


def test_references_cost_two_queries_whatever_the_number_of_places(tree):
    places = [do_create_place(Place(name=f"Block {n % 3}", parent=tree.ward)) for n in range(9)]
    with CaptureQueriesContext(connection) as queries:
        refs = place_references(places)
    assert len(queries) == 2
    assert len(set(refs.values())) == 3  # same name, same parent: nothing tells them apart


def test_find_place_reads_only_the_places_given(tree):
    visible = Place.objects.filter(pk__in=[tree.city.pk, tree.ward.pk])
    assert find_place(visible, "Riverton") == tree.city
    assert find_place(visible, "Hillbury") is None
    assert find_place(visible, str(tree.ward.pk)) == tree.ward
    assert find_place(visible, str(tree.sibling.pk)) is None
    assert find_place(visible, "  ") is None


def test_a_code_is_found_in_any_case_and_only_among_the_places_given(tree):
    tree.ward.pcode = "XA0101"
    tree.ward.save()
    everywhere = Place.objects.all()
    with CaptureQueriesContext(connection) as captured:
        assert find_place(everywhere, "XA-N") == tree.region
    # As stored (upper case): from the codes' indexes, no case-blind comparison of every place.
    assert "LIKE" not in captured.captured_queries[0]["sql"]
    assert "UPPER" not in captured.captured_queries[0]["sql"]
    assert find_place(everywhere, "xa0101") == tree.ward
    assert find_place(everywhere, " xa-n ") == tree.region
    # A code stored in another case (written straight to the database) is still found.
    Place.objects.filter(pk=tree.sibling.pk).update(pcode="xa0102")
    assert find_place(everywhere, "XA0102") == tree.sibling
    # Another country's code names nothing to a reader of this one.
    assert find_place(Place.objects.filter(path__startswith=tree.country.path), "XB") is None
    assert find_place(everywhere, "XB") == tree.other_country
