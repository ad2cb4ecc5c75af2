from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class AccessConfig(modules.ModuleConfig):
    name = "bridgework.access"
    label = "access"
    verbose_name = _("Access")
    navigation = (
        NavEntry(
            _("Access"),
            "access:roleassignment_list",
            order=90,
            current_when=("access:*",),
            needs=("view", "access.roleassignment"),
        ),
    )

    def ready(self) -> None:
        from bridgework.core.scoping import register_scope_decider

        from . import policy, signals  # noqa: F401  (signal receivers)

        register_scope_decider(policy.decide_scope)
        post_migrate.connect(policy.sync_default_policy, sender=self)
