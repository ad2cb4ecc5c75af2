from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry

__all__ = ["BodiesConfig"]


class BodiesConfig(modules.ModuleConfig):
    name = "bridgework.bodies"
    label = "bodies"
    verbose_name = _("Coordination bodies")
    navigation = (
        NavEntry(
            _("Bodies"),
            "bodies:body_list",
            order=50,
            current_when=(
                "bodies:body_*",
                "bodies:seat_*",
                "bodies:meeting*",
                "bodies:attendance_*",
                "bodies:decision_*",
                "bodies:action*",
                "bodies:overdue_actions",
            ),
        ),
        NavEntry(
            _("My actions"), "bodies:my_actions", order=60, needs=("view", "bodies.actionitem")
        ),
    )

    def ready(self) -> None:
        from bridgework.actors.selectors import register_personal_data

        from .selectors import seats_held_by

        register_personal_data("seats", seats_held_by)
