"""Import countries and their ISO 3166-2 subdivisions from pycountry."""

from django.core.management.base import BaseCommand, CommandError

from bridgework.places.importers import import_iso3166


class Command(BaseCommand):
    help = "Import every country's ISO 3166-2 subdivisions (or only the named countries)."

    def add_arguments(self, parser):
        parser.add_argument("countries", nargs="*", help="ISO 3166-1 alpha-2 codes (default: all)")

    def handle(self, *args, **options):
        try:
            summary = import_iso3166(options["countries"] or None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"ISO 3166 import: {summary}"))
