"""Backup, wipe, restore: the same records, audit history and logins, on either database."""

import io
import tarfile

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import RoleAssignment, User
from bridgework.actors.models import Organisation
from bridgework.places.models import Place
from bridgework.web.testing import build_tree

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot() -> dict:
    return {
        "places": sorted(Place.objects.values_list("pk", "path", "name")),
        "users": sorted(User.objects.values_list("pk", "email", "password")),
        "assignments": sorted(RoleAssignment.objects.values_list("pk", "user_id", "place_id")),
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "tlp")),
        "audit": sorted(LogEntry.objects.values_list("pk", "object_repr", "action", "actor_id")),
    }


def test_backup_wipe_restore_gives_back_everything(tmp_path):
    tree = build_tree()
    from bridgework.actors.actions import do_save_organisation

    org = Organisation(name="Riverton Police", sector="police", level="local", place=tree.city)
    do_save_organisation(org, acting_user=tree.in_scope, areas=[])
    keeper = UserFactory(label="keeper")
    RoleAssignmentFactory(user=keeper, role="partner", place=tree.city)
    before = _snapshot()
    assert before["audit"] and before["organisations"]

    path = tmp_path / "backup.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    with tarfile.open(path) as archive:
        names = set(archive.getnames())
    assert "manifest.json" in names
    assert {"database.sqlite3", "database.pgdump"} & names

    call_command("flush", interactive=False, verbosity=0)  # the wipe
    assert not User.objects.exists() and not Organisation.objects.exists()

    call_command("restore", str(path), "--no-input", stdout=io.StringIO())
    connection.close()  # a fresh connection reads what was restored
    assert _snapshot() == before
    signed_in = Client().post(
        reverse("login"), {"username": keeper.email, "password": "test-password-123"}
    )
    assert signed_in.status_code == 302  # the login (its password hash) came back too


def test_a_backup_of_the_other_database_or_of_nothing_is_refused(tmp_path):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a Bridgework backup"):
        call_command("restore", str(bogus), "--no-input")
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--no-input")


def test_a_restore_moves_the_access_epoch_past_every_earlier_one(tmp_path):
    """Access cached under an epoch of the replaced data must never be found again."""
    from bridgework.access.models import AccessEpoch

    build_tree()
    AccessEpoch.bump()
    path = tmp_path / "backup.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    for _ in range(3):
        AccessEpoch.bump()
    seen = AccessEpoch.current()
    call_command("restore", str(path), "--no-input", stdout=io.StringIO())
    connection.close()
    assert AccessEpoch.current() > seen
