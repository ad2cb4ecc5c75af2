from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class ParticipationConfig(modules.ModuleConfig):
    name = "bridgework.participation"
    label = "participation"
    verbose_name = _("Resident participation")
    url_prefix = "participation/"
    navigation = (
        NavEntry(
            _("Proposals"),
            "participation:proposal_list",
            order=60,
            current_when=(
                "participation:proposal_*",
                "participation:followup",
                "participation:moderation",
                "participation:supportthreshold_*",
            ),
            needs=("view", "participation.proposal"),
        ),
    )
