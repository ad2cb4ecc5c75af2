"""Give places their boundaries or points from a GeoJSON FeatureCollection."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgework.places.boundaries import BoundaryFileError, import_boundaries


class Command(BaseCommand):
    help = (
        "Import boundaries (polygons) or points for places already in the tree from a GeoJSON "
        "FeatureCollection whose features name their place's P-code or ISO 3166 code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--property",
            default="",
            help="The feature property holding the code (default: pcode, code, ADM2_PCODE…)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only, save nothing")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_boundaries(
                path.read_bytes(),
                code_property=options["property"],
                source=path.name,
                dry_run=options["dry_run"],
            )
        except BoundaryFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        for outcome in result.problems:
            self.stderr.write(
                f"Feature {outcome.number} ({outcome.code or '-'}): {outcome.status_label}"
                + (f": {outcome.message}" if outcome.message else "")
            )
        prefix = "Boundaries (dry run)" if result.dry_run else "Boundaries"
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {result}"))
