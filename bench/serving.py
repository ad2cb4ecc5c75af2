"""What ``make load`` and ``make faults`` share: a throw-away data folder and database, and
the environment of the gunicorn they start (see :func:`bench.measure.gunicorn_server`).

A run's database is its own: a fresh SQLite file in its data folder, or a PostgreSQL database
whose name must contain the run's word (``load``, ``faults``), since it is emptied first.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "REPO",
    "SQLITE_FILE",
    "derived_database_url",
    "fresh_database",
    "prepare_environment",
    "step",
]

REPO = Path(__file__).resolve().parent.parent
SQLITE_FILE = "bridgework.sqlite3"  # what settings.py names it inside BRIDGEWORK_DATA_DIR
# A load or fault run makes thousands of API calls with a few tokens: the server it starts
# gets limits no run reaches, so a 429 never hides what is measured. Production keeps its own.
UNREACHED_RATE = "10000000/m"


def sqlite_files(database: Path) -> list[Path]:
    """A SQLite database file and the files SQLite may keep beside it (its log and journal)."""
    return [database.with_name(database.name + suffix) for suffix in SQLITE_SUFFIXES]


SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def step(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


def derived_database_url(url: str, word: str) -> str:
    """The same PostgreSQL server as ``url``, in a database of the run's own: ``bw_<word>``
    unless the name already contains ``word``."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if word not in name:
        name = f"bw_{word}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def prepare_environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """Point settings at ``data_dir`` (deleting its last SQLite file) before Django starts."""
    (data_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT: whitenoise wants it
    for path in sqlite_files(data_dir / SQLITE_FILE):
        path.unlink(missing_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bridgework.settings",
        BRIDGEWORK_DATA_DIR=str(data_dir),
        COLLECTSTATIC="0",  # plain static storage: whitenoise needs no manifest
        HTTPS="0",  # plain http on 127.0.0.1, whatever SECRET_KEY the shell exports
        API_RATE_PER_TOKEN=UNREACHED_RATE,
        API_RATE_PER_ADDRESS=UNREACHED_RATE,
    )
    for name in ("DEBUG", "CACHE_URL", "TASK_BACKEND"):
        os.environ.pop(name, None)  # DEBUG off, as in production: errors never show a trace
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # SQLite unless asked, never the shell's database
    return dict(os.environ)


def fresh_database(word: str) -> None:
    """Migrate an empty database (creating a PostgreSQL one when missing) and sync the default
    access policy. Django must be set up."""
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy

    if connection.vendor != "sqlite":
        name = str(connection.settings_dict["NAME"])
        if word not in name:
            sys.exit(f"refusing to empty database {name!r}: its name lacks {word!r}")
        with connection._nodb_cursor() as cursor:  # the maintenance database, as test runs do
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    sync_default_policy()
