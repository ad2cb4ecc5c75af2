from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry, ReaderCount

__all__ = ["UNREAD", "NotificationsConfig"]

# The reader's unread notifications: the inbox entry's count, read with their session.
UNREAD = ReaderCount("notifications.Notification", "recipient", "read_at")


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
            count=UNREAD,
            area="personal",
        ),
    )
