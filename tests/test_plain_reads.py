"""Plain values by key (core.plain_reads): what the ORM's own statements give, in chunks."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bridgework.actors.models import Organisation, OrganisationArea, Theme
from bridgework.actors.selectors import attach_places, theme_links
from bridgework.core import plain_reads
from bridgework.core.plain_reads import instances_by_pk, plain_count, plain_rows
from bridgework.places.models import Place
from tests.helpers import working_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(tree):
    themes = list(Theme.objects.order_by("-name").values_list("slug", flat=True)[:3])
    return [
        working_organisation(
            f"Org {n}", "youth", tree.city, tree.ward, tree.city, themes=themes[: n % 4]
        )
        for n in range(7)
    ]


@pytest.fixture(params=[500, 2], ids=["one statement", "chunks of two keys"])
def chunked(request, monkeypatch):
    monkeypatch.setattr(plain_reads, "KEYS_PER_STATEMENT", request.param)


def test_rows_by_key_are_the_orm_s(orgs, chunked):
    keys = [org.pk for org in orgs] + [orgs[0].pk, -1]  # a repeat and a key with no row
    ours = plain_rows(
        OrganisationArea, ("organisation", "place"), key="organisation", keys=keys, order_by=("id",)
    )
    theirs = list(
        OrganisationArea.objects.filter(organisation_id__in=keys)
        .order_by("id")
        .values_list("organisation_id", "place_id")
    )
    assert sorted(ours) == sorted(theirs) and len(ours) == 14
    if len(keys) <= plain_reads.KEYS_PER_STATEMENT:
        assert ours == theirs  # one statement: in its order


def test_records_by_pk_are_loaded_as_only_loads_them(tree, chunked):
    wanted = [tree.city.pk, tree.ward.pk, tree.sibling.pk]
    ours = instances_by_pk(Place, ("name", "path", "depth"), wanted)
    theirs = Place.objects.only("name", "path", "depth").in_bulk(wanted)
    assert set(ours) == set(theirs)
    for pk, place in ours.items():
        assert type(place) is Place and not place._state.adding
        assert (place.pk, place.name, place.path, place.depth) == (
            theirs[pk].pk,
            theirs[pk].name,
            theirs[pk].path,
            theirs[pk].depth,
        )
        assert place.get_deferred_fields() == theirs[pk].get_deferred_fields()
    assert ours[tree.city.pk].code == tree.city.code  # a deferred field still loads


def test_only_integer_and_text_columns():
    with pytest.raises(TypeError, match="not an integer or text column"):
        plain_rows(Place, ("opened_on",), key="id", keys=[1])


def test_a_page_s_places_and_themes_as_the_orm_gave_them(orgs, chunked):
    rows = list(Organisation.objects.filter(pk__in=[org.pk for org in orgs]).only("id", "place_id"))
    attach_places(rows)
    for org in rows:
        assert org.place == Place.objects.get(pk=org.place_id) and org.place.name
    for column in ("name", "slug"):
        links = theme_links(rows, column)
        for org in rows:
            expected = list(org.themes.order_by("name").values_list(column, flat=True))
            assert links[org.pk] == expected
        assert any(len(values) > 1 for values in links.values())


def test_a_plain_count_is_the_orm_s(tree):
    from bridgework.notifications.models import Notification
    from bridgework.notifications.selectors import unread_count

    def notify(user, read):
        Notification.objects.create(
            recipient=user,
            kind="test",
            content_type=ContentType.objects.get_for_model(Place),
            object_id=str(tree.city.pk),
            subject="A note",
            read_at=timezone.now() if read else None,
        )

    for read in (False, False, True):
        notify(tree.in_scope, read)
    notify(tree.sibling_user, False)
    for user in (tree.in_scope, tree.sibling_user, tree.no_role):
        expected = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        assert plain_count(Notification, key="recipient", value=user.pk, unset="read_at") == (
            expected
        )
    request = type("Request", (), {"user": tree.in_scope, "method": "POST"})()
    assert unread_count(request) == 2


# --- records from rows (record_loader) -----------------------------------------------------


def _as_read(record) -> tuple:
    fields = {k: v for k, v in vars(record).items() if k != "_state"}
    state = record._state
    return type(record), fields, state.adding, state.db, record.get_deferred_fields()


def test_every_model_s_records_are_loaded_as_django_s_from_db_loads_them():
    """Through record_loader and through each model's own from_db (nearly all of them
    TimeStampedModel's plain_from_db), against Django's Model.from_db."""
    from django.apps import apps
    from django.db import models

    from bridgework.core.plain_reads import record_loader

    djangos = models.Model.from_db.__func__
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        for attnames in (fields, fields[:1]):  # whole, and all but the key deferred
            row = tuple(f"value {n}" for n in range(len(attnames)))
            expected = _as_read(djangos(model, "default", attnames, row))
            assert _as_read(record_loader(model, "default", attnames)(row)) == expected, model
            assert _as_read(model.from_db("default", attnames, row)) == expected, model


def test_nearly_every_model_loads_its_records_plainly():
    from django.apps import apps

    from bridgework.core.plain_reads import _loads_plainly, plain_from_db

    own = [m for m in apps.get_models() if m.__module__.startswith("bridgework.")]
    plain = [m for m in own if m.from_db.__func__ is plain_from_db and _loads_plainly(m)]
    assert len(plain) >= len(own) * 3 // 4


def test_a_loaded_record_reads_its_deferred_fields_and_saves(tree):
    from bridgework.core.plain_reads import record_loader

    place = record_loader(Place, "default", ["id", "name"])((tree.city.pk, "Riverton"))
    assert place.path == tree.city.path  # read on first use, as a deferred field is
    place.name = "Riverton Town"
    place.save(update_fields=["name"])
    assert Place.objects.get(pk=tree.city.pk).name == "Riverton Town"


def test_a_model_with_an_init_receiver_is_loaded_through_from_db():
    from django.db.models.signals import post_init

    from bridgework.core.plain_reads import record_loader

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Place)
    try:
        by_loader = record_loader(Place, "default", ["id", "name"])((1, "Riverton"))
        by_from_db = Place.from_db("default", ["id", "name"], (2, "Hillbury"))
    finally:
        post_init.disconnect(receiver, sender=Place)
    assert seen == [by_loader, by_from_db]
