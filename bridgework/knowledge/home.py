"""What the knowledge hub offers newcomers on the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.core.modules import StartStep

__all__ = ["SECTIONS", "STEPS"]

SECTIONS: list = []

STEPS = [
    StartStep(
        60,
        _("Find what worked elsewhere"),
        _("Practices, case studies and toolkits from the network, searched in any language."),
        url_name="knowledge:search",
        needs=("view", "knowledge.knowledgeitem"),
    ),
    StartStep(
        61,
        _("Share a practice"),
        _("Write up what your place did; the hub's editors review and publish it."),
        url_name="knowledge:knowledgeitem_add",
        needs=("add", "knowledge.knowledgeitem"),
    ),
]
