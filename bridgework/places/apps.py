from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class PlacesConfig(modules.ModuleConfig):
    name = "bridgework.places"
    label = "places"
    verbose_name = _("Places")
    navigation = (NavEntry(_("Places"), "places:browse", order=10, current_when=("places:*",)),)

    def ready(self) -> None:
        from .audit import register_geometry_mask

        register_geometry_mask()
