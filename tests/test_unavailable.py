"""A database that cannot serve — unreachable, read-only, full — answers a clear 503, never a
500 with a trace."""

import pytest
from django.db import DatabaseError, InterfaceError, InternalError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from bridgework.web.unavailable import RETRY_AFTER_SECONDS, StorageProblem, storage_problem

READ_ONLY = OperationalError("attempt to write a readonly database")
FULL = OperationalError("database or disk is full")
GONE = OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (READ_ONLY, StorageProblem.CANNOT_SAVE),
        (FULL, StorageProblem.CANNOT_SAVE),
        (OperationalError("disk I/O error"), StorageProblem.CANNOT_SAVE),
        (OperationalError("could not extend file: No space left on device"), "cannot_save"),
        (InternalError("cannot execute INSERT in a read-only transaction"), "cannot_save"),
        (GONE, StorageProblem.UNREACHABLE),
        (InterfaceError("connection already closed"), StorageProblem.UNREACHABLE),
        (InternalError("current transaction is aborted"), None),  # a bug of ours
        (DatabaseError("readonly database"), None),  # not a kind the drivers use for it
        (ValueError("database or disk is full"), None),
        (None, None),
    ],
)
def test_storage_problems_are_told_apart_from_bugs(error, problem):
    assert storage_problem(error) == problem


def _failing_home(tree, monkeypatch, error):
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("bridgework.web.views.home_sections", fail)
    return client.get(reverse("home"))


def test_a_full_or_read_only_database_answers_a_clear_503_page(tree, monkeypatch):
    response = _failing_home(tree, monkeypatch, FULL)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert "cannot save changes right now" in body
    assert "was not saved" in body
    assert "disk is full" not in body  # the driver's words stay in the log
    assert "Traceback" not in body


def test_an_unreachable_database_answers_a_clear_503_page(tree, monkeypatch):
    response = _failing_home(tree, monkeypatch, GONE)
    assert response.status_code == 503
    body = response.content.decode()
    assert "cannot reach its database" in body
    assert "5432" not in body and "Traceback" not in body


def test_any_other_error_stays_a_plain_500(tree, monkeypatch):
    response = _failing_home(tree, monkeypatch, InternalError("current transaction is aborted"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"aborted" not in response.content


def test_the_page_speaks_the_readers_language(tree, monkeypatch):
    client = Client(raise_request_exception=False, headers={"Accept-Language": "fr"})
    client.force_login(tree.in_scope)

    def fail(*args, **kwargs):
        raise READ_ONLY

    monkeypatch.setattr("bridgework.web.views.home_sections", fail)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    body = response.content.decode()
    assert 'lang="fr"' in body
    assert "Momentanément indisponible" in body
    assert "ne peut pas enregistrer de modifications" in body


def test_the_api_answers_503_in_its_error_shape(tree, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)

    def fail(*args, **kwargs):
        raise READ_ONLY

    monkeypatch.setattr("bridgework.access.api.access_for", fail)
    response = client.get("/api/me")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "cannot save changes" in body["detail"] and body["errors"] == []


def test_a_write_to_a_really_read_only_sqlite_database_answers_503(tree):
    """Not a simulated error: SQLite itself refuses the write (``PRAGMA query_only``)."""
    if connection.vendor != "sqlite":
        pytest.skip("PRAGMA query_only is SQLite's; PostgreSQL is covered by make faults")
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        response = client.post(reverse("hide_start_steps"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")
    assert response.status_code == 503
    assert b"cannot save changes right now" in response.content
    tree.in_scope.refresh_from_db()
    assert tree.in_scope.start_steps_hidden_at is None
