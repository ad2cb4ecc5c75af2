"""Load the demo: real places, a fictional network, one fictional user per role."""

from django.core.management.base import BaseCommand
from django.db import transaction

from bridgework.demo.actors import load_actors
from bridgework.demo.bodies import load_bodies
from bridgework.demo.places import load_places
from bridgework.demo.users import DEMO_PASSWORD, load_users


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            load_places()
            users = load_users()
            load_actors()
            load_bodies()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded. Sign in with any of these (password: {DEMO_PASSWORD}):"
            )
        )
        for user in users:
            self.stdout.write(f"  {user.email:<42} {user.description}")
