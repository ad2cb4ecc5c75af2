"""Traffic Light Protocol 2.0 labels, ordered from public to named-recipients-only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["TLP", "SENSITIVE_FROM"]


class TLP(models.IntegerChoices):
    CLEAR = 0, _("TLP:CLEAR")
    GREEN = 1, _("TLP:GREEN")
    AMBER = 2, _("TLP:AMBER")
    AMBER_STRICT = 3, _("TLP:AMBER+STRICT")
    RED = 4, _("TLP:RED")

    @property
    def css(self) -> str:
        return self.name.lower().replace("_", "-")


# Reads of records at or above this label are written to the sensitive-read log.
SENSITIVE_FROM = TLP.AMBER
