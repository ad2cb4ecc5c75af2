"""Load the demo: each module's ``demo.load()``, in INSTALLED_APPS order, in one transaction."""

from django.core.management.base import BaseCommand
from django.db import transaction

from bridgework.core.modules import module_parts


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        demos = [part for _config, part in module_parts("demo")]
        with transaction.atomic():
            for demo in demos:
                demo.load()
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
        for demo in demos:
            for line in getattr(demo, "summary", list)():
                self.stdout.write(line)
