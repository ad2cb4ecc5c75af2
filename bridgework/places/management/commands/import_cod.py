"""Import an OCHA COD administrative gazetteer (CSV or XLSX)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgework.places.importers import CodImportError, import_cod


class Command(BaseCommand):
    help = (
        "Import a COD gazetteer table with ADM0_PCODE, ADM1_PCODE, ADM1_EN … ADM4 columns. "
        "A bad file saves nothing and lists every bad row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--levels",
            default="",
            help="Comma-separated names of ADM1..ADM4, e.g. 'Region,District'",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        levels = (
            [name.strip() for name in options["levels"].split(",")] if options["levels"] else None
        )
        try:
            summary = import_cod(path, filename=path.name, level_names=levels)
        except CodImportError as exc:
            raise CommandError(f"Nothing was imported.\n{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"COD import: {summary}"))
