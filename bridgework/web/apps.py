from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class WebConfig(modules.ModuleConfig):
    name = "bridgework.web"
    label = "web"
    verbose_name = _("Web")
    navigation = (
        NavEntry(_("Home"), "home", order=0),
        NavEntry(_("My account"), "account", order=100, area="personal"),
    )
