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


def test_a_long_list_s_reads_are_all_logged_as_the_orm_would_store_them(tree, monkeypatch):
    """One statement per chunk (``core.plain_writes``): every row, each value as stored by
    the ORM, the time aware and current."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bridgework.access.policy import log_sensitive_reads
    from bridgework.core import plain_writes

    monkeypatch.setattr(plain_writes, "ROWS_PER_STATEMENT", 3)
    records = [
        Dossier.objects.create(place=tree.city, title=f"Note {n}", tlp=tlp)
        for n, tlp in enumerate([TLP.AMBER, TLP.RED, TLP.CLEAR, TLP.GREEN] * 2 + [TLP.AMBER])
    ]
    before = timezone.now()
    assert log_sensitive_reads(tree.in_scope, records, channel="export") == 5
    stored = list(SensitiveRead.objects.order_by("id"))
    sensitive = [r for r in records if r.tlp >= TLP.AMBER]
    assert [(s.object_id, s.tlp) for s in stored] == [(str(r.pk), r.tlp) for r in sensitive]
    kind = ContentType.objects.get_for_model(Dossier)
    assert {(s.user_id, s.content_type_id, s.channel) for s in stored} == {
        (tree.in_scope.pk, kind.pk, "export")
    }
    assert all(before <= s.read_at <= timezone.now() for s in stored)
    assert log_sensitive_reads(tree.in_scope, records[2:4]) == 0
    assert SensitiveRead.objects.count() == 5
