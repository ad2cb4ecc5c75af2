"""Materialised-path arithmetic, and the index the subtree range uses."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgework.core.paths import (
    ancestor_at,
    ancestor_paths,
    child_path,
    collapse_nested,
    decode_segment,
    depth_of,
    encode_segment,
    prefix_length,
    subtree_bounds,
)
from bridgework.places.models import Place
from tests.helpers import assert_seeks_index

segments = st.integers(min_value=0, max_value=36**4 - 1)
paths = st.lists(segments, min_size=1, max_size=6).map(
    lambda numbers: "/" + "".join(encode_segment(n) + "/" for n in numbers)
)


@given(segments, segments)
def test_segments_sort_like_numbers(a, b):
    assert (encode_segment(a) < encode_segment(b)) == (a < b)
    assert decode_segment(encode_segment(a)) == a


def test_segment_out_of_range_is_refused():
    with pytest.raises(ValueError):
        encode_segment(36**4)


@given(paths, paths)
def test_range_holds_exactly_the_paths_that_start_with_the_root(root, other):
    low, high = subtree_bounds(root)
    assert (low <= other < high) == other.startswith(root)


@given(paths)
def test_ancestors_and_depth(path):
    ancestors = ancestor_paths(path)
    assert len(ancestors) == depth_of(path)
    assert all(path.startswith(a) for a in ancestors)


@given(paths)
def test_the_ancestor_at_a_depth_is_a_prefix_of_that_depths_length(path):
    depth = depth_of(path)
    assert [ancestor_at(path, d) for d in range(depth)] == ancestor_paths(path)
    assert ancestor_at(path, depth) == path and len(path) == prefix_length(depth)
    with pytest.raises(ValueError):
        ancestor_at(path, depth + 1)


def test_child_path_and_collapse():
    assert child_path("/0001/", 42) == "/0001/0016/"
    assert collapse_nested(["/0001/0002/", "/0001/", "/0003/"]) == ["/0001/", "/0003/"]
    with pytest.raises(ValueError):
        subtree_bounds("0001")


@pytest.mark.django_db
def test_subtree_filter_uses_the_index_not_a_scan(tree):
    """SQLite must SEARCH the path index; PostgreSQL must be able to use an index range."""
    queryset = Place.objects.in_subtree(tree.region.path)
    assert_seeks_index(queryset, "places_place", "path")
    assert {p.name for p in queryset} == {
        "Northern Region",
        "Riverton",
        "Riverton Ward 1",
        "Hillbury",
    }
