"""Every write is recorded with its actor; sensitive reads are logged with ids only."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from bridgework.access.models import SensitiveRead
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_create_place, do_update_place
from bridgework.places.models import Place
from tests.testapp.models import Dossier

pytestmark = pytest.mark.django_db


def test_place_writes_are_audited_with_actor_and_changes(tree):
    place = do_create_place(Place(name="Old Town", parent=tree.city), acting_user=tree.in_scope)
    place.name = "New Town"
    do_update_place(place, acting_user=tree.in_scope)
    entries = LogEntry.objects.get_for_object(place).order_by("timestamp", "pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor_id == tree.in_scope.pk for e in entries)
    assert entries[1].changes_dict["name"] == ["Old Town", "New Town"]


def test_moving_a_place_moves_its_subtree_and_records(tree):
    from datetime import date

    from bridgework.places.models import Network, NetworkMembership

    membership = NetworkMembership.objects.create(
        network=Network.objects.create(name="N", slug="n"),
        place=tree.ward,
        joined_on=date(2024, 1, 1),
    )
    tree.city.parent = tree.other_country
    do_update_place(tree.city)
    tree.ward.refresh_from_db()
    membership.refresh_from_db()
    assert tree.ward.path.startswith(tree.city.path)
    assert tree.ward.depth == tree.city.depth + 1 == 3
    assert membership.place_path == tree.ward.path


def test_sensitive_reads_are_logged_with_ids_only(tree):

    amber = Dossier.objects.create(place=tree.city, title="Named informant", tlp=TLP.AMBER)
    Dossier.objects.create(place=tree.city, title="Public note", tlp=TLP.CLEAR)
    client = Client()
    client.force_login(tree.in_scope)
    client.get("/test/dossiers/")
    client.get(f"/api/test/dossiers/{amber.pk}")
    reads = SensitiveRead.objects.filter(object_id=str(amber.pk))
    assert sorted(reads.values_list("channel", flat=True)) == ["api", "page"]
    assert SensitiveRead.objects.count() == 2  # the CLEAR record is not logged
    row = reads.values().first()
    assert set(row) == {
        "id",
        "user_id",
        "content_type_id",
        "object_id",
        "tlp",
        "channel",
        "read_at",
    }
