"""A labelled (TLP) record used only by the tests of the scoping machinery itself.

The foundation ships no TLP-labelled domain model yet; this one lets the generated tests prove
the ceiling and the read log on pages and in the API.
"""

from django.db import models
from django.urls import reverse

from bridgework.places.models import LabelledModel


class Dossier(LabelledModel):
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["place_path", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("testapp:dossier_detail", args=[self.pk])
