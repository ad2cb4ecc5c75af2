"""The stored 3W roll-up (``OrganisationReach``): on generated organisations, the 3W read from
it is exactly the 3W read from the organisations themselves (``_three_w_live``, the selector as
it was) for national, regional and local coordinators, partners and residents, under every
filter; it stays in step through every write (the pages' save, an import, a delete, an erasure,
a place moving); ``rebuild_3w`` reproduces it; and where it cannot answer (below a hub, or if
the organisations' visibility stopped being a rule on path and label) the live statements do."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate_actors import generate_actors
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import forget_access
from bridgework.actors.actions import (
    ImportWrite,
    do_erase_person,
    do_import_actors,
    do_save_organisation,
    do_save_person,
    do_save_post,
)
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import (
    Organisation,
    OrganisationArea,
    OrganisationReach,
    Person,
    Post,
    Theme,
)
from bridgework.actors.reach import REACH_COLUMNS, ReachModels, reach_rows
from bridgework.actors.selectors import OrgFilters, _three_w_live, three_w
from bridgework.core.actions import do_delete_record
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_update_place
from bridgework.places.factories import PlaceFactory
from bridgework.places.models import Hub, Network, Place

from .helpers import assert_seeks_index

REACH_TABLE = OrganisationReach._meta.db_table
AREA_TABLE = OrganisationArea._meta.db_table


def stored_rows() -> list[tuple]:
    return sorted(OrganisationReach.objects.values_list(*REACH_COLUMNS), key=repr)


def rows_from_source() -> list[tuple]:
    """What the roll-up should hold, computed afresh from the source tables (nothing saved)."""
    ids = Organisation.objects.values_list("pk", flat=True)
    fresh = reach_rows(list(ids), ReachModels.current())
    return sorted((tuple(getattr(row, name) for name in REACH_COLUMNS) for row in fresh), key=repr)


def assert_in_step() -> None:
    assert stored_rows() == rows_from_source()


def tables_read(call) -> str:
    with CaptureQueriesContext(connection) as captured:
        call()
    return " ".join(q["sql"] for q in captured.captured_queries)


# --- generated data ------------------------------------------------------------------------------


@pytest.fixture
def world(tree):
    """The standard tree grown to the bench's five levels below the World (a second region,
    cities, wards and blocks), about 240 generated organisations over it (GREEN, CLEAR and
    AMBER ones, 1-3 themes, 1-3 areas of work), and a reader of every kind."""
    south = PlaceFactory(name="Southern Region", parent=tree.country, code="XA-S")
    port = PlaceFactory(name="Porthaven", parent=south)
    wards = [tree.ward, PlaceFactory(name="Hillbury Ward 1", parent=tree.sibling)]
    wards += [PlaceFactory(name=f"Porthaven Ward {n}", parent=port) for n in (1, 2)]
    blocks = [
        PlaceFactory(name=f"{ward.name} Block {n}", parent=ward) for ward in wards for n in (1, 2)
    ]
    levels = [
        [tree.world],
        [tree.country, tree.other_country],
        [tree.region, south],
        [tree.city, tree.sibling, port],
        wards,
        blocks,
    ]
    generate_actors(levels, 0.0048)  # bulk inserts, then the roll-up rebuilt from them
    readers = {
        "national": tree.ancestor,  # national coordinator of the country
        "local": tree.in_scope,  # national_coordinator role at the city: a local reach
    }
    for label, role, place in [
        ("regional", "national_coordinator", tree.region),
        ("local coordinator", "local_coordinator", tree.city),
        ("partner", "partner", tree.region),
        ("resident", "resident", port),
        ("two places", "local_coordinator", tree.sibling),
    ]:
        user = UserFactory(label=label.replace(" ", "-"))
        RoleAssignmentFactory(user=user, role=role, place=place)
        if label == "two places":
            RoleAssignmentFactory(user=user, role="partner", place=port)
        readers[label] = user
    readers["no role"] = tree.no_role
    return tree, levels, readers


def filter_sets(tree, levels):
    themes = list(Theme.objects.order_by("pk")[:4])
    places = [tree.world, tree.country, tree.region, tree.city, levels[4][0], levels[5][0]]
    for place in places:
        yield OrgFilters(place=place)
        for sector in (Sector.CIVIL_SOCIETY, Sector.EDUCATION, Sector.POLICE, Sector.MEDIA):
            yield OrgFilters(place=place, sector=sector)
        for level in OrgLevel.values:
            yield OrgFilters(place=place, level=level)
        for theme in themes:
            yield OrgFilters(place=place, theme=theme)
        yield OrgFilters(
            place=place, sector=Sector.CIVIL_SOCIETY, level=OrgLevel.LOCAL, theme=themes[0]
        )


def test_the_stored_roll_up_gives_the_live_answer_on_generated_data(world):
    tree, levels, readers = world
    assert set(Organisation.objects.values_list("tlp", flat=True)) >= {
        TLP.CLEAR,
        TLP.GREEN,
        TLP.AMBER,
    }
    compared = 0
    for filters in filter_sets(tree, levels):
        for label, user in readers.items():
            for limit in (3, 50):
                stored = three_w(user, filters, overlap_limit=limit)
                assert stored == _three_w_live(user, filters, overlap_limit=limit), (
                    label,
                    filters,
                )
                compared += bool(stored.total)
    assert compared > 100  # most comparisons count something
    country = OrgFilters(place=tree.country)
    totals = {label: three_w(user, country).total for label, user in readers.items()}
    assert totals["national"] > totals["regional"] > totals["local coordinator"] > 0
    assert totals["partner"] < totals["regional"]  # same place, lower ceiling: no AMBER
    assert totals["no role"] == 0
    assert three_w(readers["national"], country).overlaps  # the crowded pairs are there too


def test_below_a_place_only_the_roll_up_is_read(world):
    tree, _levels, readers = world
    sql = tables_read(lambda: three_w(readers["national"], OrgFilters(place=tree.country)))
    assert REACH_TABLE in sql and AREA_TABLE not in sql
    counts = OrganisationReach.objects.filter(place=tree.country, sector=Sector.POLICE)
    assert_seeks_index(counts, REACH_TABLE, "place_id")


def test_below_a_hub_the_live_statements_answer(world):
    tree, _levels, readers = world
    network = Network.objects.create(name="Test Network", slug="test-network")
    hub = Hub.objects.create(network=network, name="Both regions", slug="both-regions")
    south = Place.objects.get(code="XA-S")
    hub.places.set([tree.region, south, tree.city])  # nested places count an org once
    officer = UserFactory(label="hub")
    RoleAssignmentFactory(user=officer, role="hub_officer", place=tree.world, hub=hub)
    for user in (officer, readers["national"], readers["partner"]):
        filters = OrgFilters(hub=hub)
        sql = tables_read(lambda user=user, filters=filters: three_w(user, filters))
        assert AREA_TABLE in sql and REACH_TABLE not in sql
    national = readers["national"]
    north = three_w(national, OrgFilters(place=tree.region)).total
    southern = three_w(national, OrgFilters(place=south)).total
    # An organisation working in both regions is counted once.
    assert max(north, southern) < three_w(national, OrgFilters(hub=hub)).total <= north + southern


def test_a_visibility_rule_the_roll_up_does_not_copy_falls_back(world, monkeypatch):
    """Should organisations ever be read through a place they are *shared at*, the roll-up
    (which copies only path and label) is not used: the live statements answer instead."""
    tree, _levels, readers = world
    filters = OrgFilters(place=tree.region)
    before = three_w(readers["partner"], filters)
    monkeypatch.setattr(Organisation, "scope_shared_path_field", "place_path", raising=False)
    sql = tables_read(lambda: three_w(readers["partner"], filters))
    assert REACH_TABLE not in sql and AREA_TABLE in sql
    assert three_w(readers["partner"], filters) == _three_w_live(readers["partner"], filters)
    assert three_w(readers["partner"], filters).total >= before.total


# --- kept in step --------------------------------------------------------------------------------


def same_answers(tree, *users) -> None:
    themes = list(Theme.objects.order_by("pk")[:2])
    for user in users or (tree.ancestor, tree.in_scope, tree.sibling_user):
        for place in (tree.world, tree.country, tree.region, tree.city, tree.ward):
            for filters in (
                OrgFilters(place=place),
                OrgFilters(place=place, theme=themes[0]),
                OrgFilters(place=place, sector=Sector.YOUTH),
            ):
                assert three_w(user, filters) == _three_w_live(user, filters), (user, filters)


def save(tree, organisation, areas=None, themes=None):
    related = None if themes is None else (lambda: organisation.themes.set(themes))
    return do_save_organisation(
        organisation, acting_user=tree.ancestor, areas=areas, save_related=related
    )


def test_the_roll_up_follows_every_write(tree):
    themes = list(Theme.objects.order_by("pk")[:3])
    youth = save(
        tree,
        Organisation(name="Ward Youth", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.ward),
        areas=[tree.sibling],
        themes=themes[:2],
    )
    police = save(
        tree,
        Organisation(
            name="City Police", sector=Sector.POLICE, level=OrgLevel.LOCAL, place=tree.city
        ),
        areas=[tree.ward],
        themes=themes[1:],
    )
    assert OrganisationReach.objects.filter(organisation=youth).count() > 0
    assert_in_step()
    assert three_w(tree.in_scope, OrgFilters(place=tree.city)).total == 2
    same_answers(tree)

    # Changed: sector, label, areas (one dropped, one added) and themes.
    youth.sector = Sector.EDUCATION
    youth.tlp = TLP.AMBER
    save(tree, youth, areas=[tree.region], themes=themes[2:])
    assert_in_step()
    assert not OrganisationReach.objects.filter(organisation=youth, place=tree.sibling).exists()
    assert set(
        OrganisationReach.objects.filter(organisation=youth).values_list("sector", "tlp")
    ) == {(Sector.EDUCATION, TLP.AMBER)}
    same_answers(tree)

    # Moved home (areas kept, the new home added), themes cleared.
    police.place = tree.region
    save(tree, police, themes=[])
    assert_in_step()
    assert OrganisationReach.objects.filter(organisation=police, theme=None).exists()
    same_answers(tree)

    # Deleted: its rows go with it.
    do_delete_record(police, acting_user=tree.ancestor)
    assert not OrganisationReach.objects.filter(organisation_id=police.pk).exists()
    assert_in_step()
    same_answers(tree)
    # Derived rows are not records: rewriting them leaves nothing in the audit log.
    reach_type = ContentType.objects.get_for_model(OrganisationReach)
    assert not LogEntry.objects.filter(content_type=reach_type).exists()


def test_the_roll_up_follows_a_theme_deleted(tree):
    """A theme's links go by cascade, which sends no ``m2m_changed``: an organisation that
    held only that theme keeps a row at each place, without a theme."""
    kept, doomed = Theme.objects.order_by("pk")[:2]
    only = save(
        tree,
        Organisation(
            name="Ward Choir", sector=Sector.FAITH_BASED, level=OrgLevel.LOCAL, place=tree.ward
        ),
        areas=[tree.sibling],
        themes=[doomed],
    )
    both = save(
        tree,
        Organisation(
            name="City Forum", sector=Sector.CIVIL_SOCIETY, level=OrgLevel.LOCAL, place=tree.city
        ),
        themes=[kept, doomed],
    )
    assert_in_step()
    places = set(OrganisationReach.objects.filter(organisation=only).values_list("place_id"))

    doomed.delete()

    assert_in_step()
    assert set(
        OrganisationReach.objects.filter(organisation=only).values_list("place_id", "theme_id")
    ) == {(place_id, None) for (place_id,) in places}
    assert set(
        OrganisationReach.objects.filter(organisation=both).values_list("theme_id", flat=True)
    ) == {kept.pk}
    same_answers(tree)


def test_the_roll_up_follows_an_import_and_an_erasure(tree):
    themes = list(Theme.objects.order_by("pk")[:3])
    existing = save(
        tree,
        Organisation(
            name="Old Forum", sector=Sector.CIVIL_SOCIETY, level=OrgLevel.LOCAL, place=tree.city
        ),
        themes=themes[:1],
    )
    new = Organisation(name="New Forum", sector=Sector.MEDIA, level=OrgLevel.LOCAL, place=tree.ward)
    existing.level = OrgLevel.COMMUNITY
    person = Person(full_name="Ada Example", place=tree.city)
    do_import_actors(
        [
            ImportWrite(new, areas=(tree.city,), themes=tuple(themes[1:])),
            ImportWrite(existing, areas=(tree.ward, tree.sibling), themes=tuple(themes)),
            ImportWrite(person, post=Post(organisation=existing, title="Chair")),
        ],
        acting_user=tree.ancestor,
    )
    assert_in_step()
    assert OrganisationReach.objects.filter(organisation=new, place=tree.country).count() == 2
    assert set(
        OrganisationReach.objects.filter(organisation=existing).values_list("level", flat=True)
    ) == {OrgLevel.COMMUNITY}
    same_answers(tree)

    do_erase_person(Person.objects.get(pk=person.pk), acting_user=tree.ancestor)
    assert_in_step()
    same_answers(tree)


def test_the_roll_up_follows_a_place_moving(tree):
    themes = list(Theme.objects.order_by("pk")[:2])
    for name, home in (("Ward One", tree.ward), ("Ward Two", tree.ward), ("Hill", tree.sibling)):
        save(
            tree,
            Organisation(name=name, sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=home),
            areas=[tree.city],
            themes=themes,
        )
    before = three_w(tree.ancestor, OrgFilters(place=tree.city)).total
    tree.city.parent = tree.other_country  # Riverton and its ward leave Xanadu
    do_update_place(tree.city)
    for place in (tree.city, tree.ward):
        place.refresh_from_db()
    for user in (tree.ancestor, tree.in_scope, tree.sibling_user):
        forget_access(user)  # their places moved: the access kept on the object is stale
    assert_in_step()
    assert not OrganisationReach.objects.filter(
        organisation__name="Ward One", place=tree.region
    ).exists()
    assert three_w(tree.ancestor, OrgFilters(place=tree.country)).total == 1  # Hill only
    assert three_w(tree.ancestor, OrgFilters(place=tree.city)).total == before - 2
    same_answers(tree)


def test_rebuild_3w_reproduces_the_roll_up(world, capsys):
    tree, _levels, readers = world
    built = stored_rows()
    assert built == rows_from_source() and len(built) > 1_000
    call_command("rebuild_3w", "--check")  # in step: passes, changes nothing
    assert stored_rows() == built

    OrganisationReach.objects.filter(place=tree.region).delete()
    OrganisationReach.objects.filter(place=tree.country, sector=Sector.POLICE).update(tlp=TLP.CLEAR)
    with pytest.raises(CommandError, match="out of step"):
        call_command("rebuild_3w", "--check")

    call_command("rebuild_3w")
    assert "rebuilt" in capsys.readouterr().out
    assert stored_rows() == built
    filters = OrgFilters(place=tree.country)
    assert three_w(readers["partner"], filters) == _three_w_live(readers["partner"], filters)


def test_writes_of_people_and_posts_leave_the_roll_up_alone(tree):
    org = save(
        tree,
        Organisation(name="Forum", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.city),
    )
    rows = stored_rows()
    person = do_save_person(
        Person(full_name="Bo Example", place=tree.city), acting_user=tree.ancestor
    )
    do_save_post(Post(person=person, organisation=org, title="Chair"), acting_user=tree.ancestor)
    assert stored_rows() == rows


def test_the_data_migration_fills_the_roll_up(tree):
    """Migration 0008 fills the roll-up for the organisations already there (run here with
    the current app registry standing in for the migration's historical one)."""
    from importlib import import_module

    from django.apps import apps

    fill = import_module("bridgework.actors.migrations.0008_fill_organisation_reach").fill
    save(
        tree,
        Organisation(name="Forum", sector=Sector.YOUTH, level=OrgLevel.LOCAL, place=tree.ward),
        areas=[tree.sibling],
        themes=list(Theme.objects.order_by("pk")[:2]),
    )
    built = stored_rows()
    OrganisationReach.objects.all().delete()
    fill(apps, None)
    assert stored_rows() == built and len(built) == 2 * 6  # ward, city, sibling, region, …
