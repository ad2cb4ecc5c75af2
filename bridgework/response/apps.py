from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class ResponseConfig(modules.ModuleConfig):
    name = "bridgework.response"
    label = "response"
    verbose_name = _("Incidents, tensions and crises")
    url_prefix = "response/"
    navigation = (
        NavEntry(
            _("Incidents"),
            "response:report_list",
            order=60,
            current_when=("response:report_*", "response:intake*"),
            needs=("view", "response.report"),
        ),
        NavEntry(
            _("Tensions"),
            "response:tensionassessment_list",
            order=61,
            current_when=("response:tension*",),
            needs=("view", "response.tensionassessment"),
        ),
    )
