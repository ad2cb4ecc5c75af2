from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "bridgework.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .modules import seed_reference_data

        # Once per migrate, after every app's tables exist (core's signal comes like any app's).
        post_migrate.connect(seed_reference_data, sender=self)
