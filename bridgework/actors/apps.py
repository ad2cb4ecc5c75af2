from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActorsConfig(AppConfig):
    name = "bridgework.actors"
    label = "actors"
    verbose_name = _("Who does what where")

    def ready(self) -> None:
        from .audit import register_personal_masks

        register_personal_masks()
