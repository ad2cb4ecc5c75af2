from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bridgework.demo"
    label = "demo"
    verbose_name = "Demo data"
