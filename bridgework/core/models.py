"""Abstract model pieces with no domain knowledge."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["TimeStampedModel"]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
