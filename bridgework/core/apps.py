from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bridgework.core"
    label = "core"
    verbose_name = "Core"
