from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry

__all__ = ["NotificationsConfig"]


class NotificationsConfig(modules.ModuleConfig):
    name = "bridgework.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    navigation = (
        NavEntry(
            _("Inbox"),
            "notifications:inbox",
            order=98,
            current_when=("notifications:*",),
            badge="bridgework.notifications.selectors.unread_count",
            area="personal",
        ),
    )
