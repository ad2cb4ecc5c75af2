from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry

__all__ = ["ActivityConfig"]


class ActivityConfig(modules.ModuleConfig):
    name = "bridgework.activity"
    label = "activity"
    verbose_name = _("Activity and workflows")
    navigation = (
        NavEntry(
            _("How work moves"),
            "activity:workflow_list",
            order=95,
            current_when=("activity:*",),
            area="help",
        ),
    )

    def ready(self) -> None:
        from bridgework.core.events import register_event_recorder

        from .events import store_event

        register_event_recorder(store_event)
