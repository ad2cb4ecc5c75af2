from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class ActorsConfig(modules.ModuleConfig):
    name = "bridgework.actors"
    label = "actors"
    verbose_name = _("Who does what where")
    navigation = (
        NavEntry(_("Who does what where"), "actors:three_w", order=20),
        NavEntry(
            _("Organisations"),
            "actors:organisation_list",
            order=30,
            current_when=("actors:organisation_*", "actors:import_*", "actors:popolo"),
        ),
        NavEntry(
            _("People"),
            "actors:person_list",
            order=40,
            current_when=("actors:person_*", "actors:post_*"),
            needs=("view", "actors.person"),
            within="actors:organisation_list",
        ),
    )

    def ready(self) -> None:
        from .audit import register_personal_masks

        register_personal_masks()
