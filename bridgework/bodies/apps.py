from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["BodiesConfig"]


class BodiesConfig(AppConfig):
    name = "bridgework.bodies"
    label = "bodies"
    verbose_name = _("Coordination bodies")
