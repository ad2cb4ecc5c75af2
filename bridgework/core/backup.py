"""Backup and restore of the whole installation: the database, and uploaded files if any.

A backup is one ``.tar.gz`` file holding ``manifest.json`` (what, when, which database and
Bridgework version), the database — ``database.sqlite3`` made with SQLite's online backup API
(consistent while the site keeps serving) or ``database.pgdump`` made with ``pg_dump -Fc`` —
and ``media/`` when ``MEDIA_ROOT`` holds files. ``restore`` puts the database back exactly:
records, audit history, sessions and logins.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.dispatch import Signal
from django.utils import timezone

__all__ = ["BackupError", "Manifest", "database_restored", "make_backup", "restore_backup"]

FORMAT = 1

# Sent after a restore has replaced the database: whatever was derived from the data it
# replaced (cached access, above all) must not be mistaken for current.
database_restored = Signal()


class BackupError(Exception):
    """A backup or restore that cannot be done, in words for the operator."""


@dataclass(frozen=True)
class Manifest:
    format: int
    vendor: str
    created_at: str
    media: bool

    @classmethod
    def read(cls, data: dict[str, Any]) -> Manifest:
        try:
            return cls(
                int(data["format"]),
                str(data["vendor"]),
                str(data["created_at"]),
                bool(data["media"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError("The backup's manifest is not readable.") from exc


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    path = Path(root) if root else None
    return path if path is not None and path.is_dir() and any(path.iterdir()) else None


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump / pg_restore from the active database settings."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(  # noqa: S603 (fixed tool, arguments from settings)
        [tool, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _dump_database(into: Path) -> str:
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(into / "database.sqlite3")
        try:
            connection.connection.backup(target)  # consistent while others keep writing
        finally:
            target.close()
    elif vendor == "postgresql":
        args, env = _pg_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(into / "database.pgdump"),
                *args,
            ],
            env,
        )
    else:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    return vendor


def make_backup(path: Path) -> Manifest:
    """Write a backup of the database (and uploaded files) to ``path``."""
    with tempfile.TemporaryDirectory(prefix="bridgework-backup-") as scratch:
        work = Path(scratch)
        vendor = _dump_database(work)
        media = _media_root()
        manifest = Manifest(FORMAT, vendor, timezone.now().isoformat(), media is not None)
        (work / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
            if media is not None:
                archive.add(media, arcname="media")
        partial.replace(path)  # a backup file is complete or absent
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"The backup holds an unexpected entry: {member.name}")
        members.append(member)
    return members


def restore_backup(path: Path) -> Manifest:
    """Replace the database (and uploaded files) with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    with tempfile.TemporaryDirectory(prefix="bridgework-restore-") as scratch:
        work = Path(scratch)
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, members=_safe_members(archive), filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError("The file is not a Bridgework backup.") from exc
        if not (work / "manifest.json").is_file():
            raise BackupError("The file is not a Bridgework backup (no manifest).")
        manifest = Manifest.read(json.loads((work / "manifest.json").read_text()))
        if manifest.vendor != connection.vendor:
            raise BackupError(
                f"This is a {manifest.vendor} backup; the configured database is "
                f"{connection.vendor}."
            )
        _restore_database(work, manifest.vendor)
        connection.close()  # a fresh connection reads the restored database
        database_restored.send(sender=restore_backup)
        media = _media_root_setting()
        if manifest.media and media is not None:
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    return manifest


def _media_root_setting() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root else None


def _restore_database(work: Path, vendor: str) -> None:
    if vendor == "sqlite":
        source = sqlite3.connect(work / "database.sqlite3")
        try:
            connection.ensure_connection()
            source.backup(connection.connection)  # page by page into the live database
        finally:
            source.close()
    else:
        connections.close_all()
        args, env = _pg_env()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(work / "database.pgdump"),
            ],
            env,
        )
