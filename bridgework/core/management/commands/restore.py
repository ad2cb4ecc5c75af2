"""``bridgework restore FILE``: put back a backup made by ``bridgework backup``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgework.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database (and uploaded files) with the backup in FILE. Everything written "
        "since that backup is lost: stop the web server and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup made by `bridgework backup`")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not options["no_input"]:
            answer = input(f"Replace everything in the database with {path}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            manifest = restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {manifest.vendor} backup of {manifest.created_at} from {path}."
            )
        )
