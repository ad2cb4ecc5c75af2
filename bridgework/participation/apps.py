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
            current_when=("participation:proposal_*", "participation:supportthreshold_*"),
            needs=("view", "participation.proposal"),
        ),
        NavEntry(
            _("Follow-up"),
            "participation:followup",
            order=64,
            needs=("change", "participation.proposal"),
            within="participation:proposal_list",
        ),
        NavEntry(
            _("Moderation"),
            "participation:moderation",
            order=65,
            needs=("moderate", "participation.proposal"),
            within="participation:proposal_list",
        ),
        NavEntry(
            _("Town halls"),
            "participation:townhall_list",
            order=66,
            current_when=("participation:townhall_*", "participation:register"),
            needs=("view", "participation.townhall"),
            within="participation:proposal_list",
        ),
    )

    def ready(self) -> None:
        # A resident's date of birth is asked only to check their age: the audit log keeps
        # that it changed, never the date.
        from auditlog.registry import auditlog

        from .models import ResidentProfile

        auditlog.unregister(ResidentProfile)
        auditlog.register(
            ResidentProfile,
            mask_fields=["born_on"],
            mask_callable="bridgework.actors.audit.mask_personal",
        )
