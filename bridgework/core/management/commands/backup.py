"""``bridgework backup FILE``: the database (and uploaded files) in one .tar.gz file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgework.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and uploaded files to FILE."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Where to write the backup, e.g. backups/2026-12-02.tar.gz"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            manifest = make_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = " and uploaded files" if manifest.media else ""
        self.stdout.write(
            self.style.SUCCESS(f"Backed up the {manifest.vendor} database{media} to {path}.")
        )
