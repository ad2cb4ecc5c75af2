from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class KnowledgeConfig(modules.ModuleConfig):
    name = "bridgework.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge hub")
    url_prefix = "knowledge/"
    navigation = (
        NavEntry(
            _("Knowledge"),
            "knowledge:search",
            order=60,
            current_when=("knowledge:*",),
        ),
    )

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the search index in step with the items)
