"""Knowledge items (practices, case studies, briefs, toolkits, evaluations, training material)
and their attachments.

An item lives at the place it comes from, under its TLP label, and is read like any scoped
record; a *published* CLEAR item is also public (``public_items``): anyone, signed in or not,
may read and find it. Attachments have no scope of their own: they are read with their item.
An item is revised into a new version (``previous``); publishing the new version marks the
old one superseded, and the old one stays readable with a pointer to its successor.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgework.actors.choices import Sector
from bridgework.actors.models import Organisation, Theme
from bridgework.core.models import TimeStampedModel
from bridgework.core.tlp import TLP
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, Place

from .choices import EvidenceLevel, ItemKind, ItemStatus, Language

__all__ = [
    "KnowledgeAttachment",
    "KnowledgeItem",
    "KnowledgeItemSector",
    "attachment_storage",
    "public_items",
]


class KnowledgeItem(LabelledModel):
    """A piece of practice or evidence shared across the network."""

    picker_search_field = "title"
    label_at_least = ("author_organisation",)

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("Two or three sentences: what and why"))
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: headings, lists, links, tables")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="knowledge_items", verbose_name=_("themes")
    )
    about_places = models.ManyToManyField(
        Place,
        blank=True,
        related_name="knowledge_items_about",
        verbose_name=_("places it is about"),
        help_text=_("Other places this item speaks about, besides the place it comes from"),
    )
    evidence = models.CharField(
        _("evidence level"),
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.PROMISING,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    author_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="knowledge_items",
        verbose_name=_("author organisation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="revision",
        verbose_name=_("revises"),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["title", "-version", "pk"]
        verbose_name = _("knowledge item")
        verbose_name_plural = _("knowledge items")
        indexes = [
            models.Index(fields=["place_path", "status"], name="knowledge_path_status"),
            models.Index(fields=["status", "tlp"], name="knowledge_public"),
        ]

    def __str__(self) -> str:
        if self.version > 1:
            return _("%(title)s (version %(version)s)") % {
                "title": self.title,
                "version": self.version,
            }
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("knowledge:knowledgeitem_detail", self.pk)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and self.tlp == TLP.CLEAR

    @property
    def sectors(self) -> list[str]:
        """The sectors that carry it out, in the order of the choices (read from
        ``sector_rows``, so a prefetch serves a whole list)."""
        chosen = {row.sector for row in self.sector_rows.all()}
        return [value for value in Sector.values if value in chosen]

    def sector_labels(self) -> list[str]:
        labels = dict(Sector.choices)
        return [str(labels[value]) for value in self.sectors]

    def set_sectors(self, sectors) -> None:
        """Make the item's sectors exactly ``sectors`` (unknown values are the form's job)."""
        wanted = set(sectors)
        self.sector_rows.exclude(sector__in=wanted).delete()
        have = set(self.sector_rows.values_list("sector", flat=True))
        KnowledgeItemSector.objects.bulk_create(
            KnowledgeItemSector(item=self, sector=sector) for sector in sorted(wanted - have)
        )


PUBLIC_STATUSES = (ItemStatus.PUBLISHED, ItemStatus.SUPERSEDED)


class KnowledgeItemSector(models.Model):
    """One sector that carries an item out. A row per (item, sector) rather than a list in a
    column: the sector filter and its counts are then plain joins on both databases, and an
    item is counted once per sector. Read with its item (no scope of its own)."""

    item = models.ForeignKey(
        KnowledgeItem, on_delete=models.CASCADE, related_name="sector_rows", verbose_name=_("item")
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)

    class Meta:
        ordering = ["item_id", "sector"]
        verbose_name = _("item sector")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "sector"],
                name="knowledge_item_sector_once",
                violation_error_message=_("The item already names this sector."),
            )
        ]
        indexes = [models.Index(fields=["sector", "item"], name="knowledge_sector_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.sector}"


def public_items():
    """The items anyone may read without signing in: CLEAR, and published (or published
    once and since superseded, read with a pointer to the newer version)."""
    return KnowledgeItem.objects.filter(status__in=PUBLIC_STATUSES, tlp=TLP.CLEAR)


# Uploaded files live under MEDIA_ROOT (inside the data directory, which the backup copies),
# never under a URL: the only way to them is the scoped download view.
attachment_storage = FileSystemStorage()


def _attachment_path(attachment: KnowledgeAttachment, filename: str) -> str:
    # The stored name is ours, not the uploader's: only the checked extension is kept.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"knowledge/{attachment.item_id}/{attachment.token}{suffix}"


class KnowledgeAttachment(TimeStampedModel):
    """A file of an item (PDF, DOCX or image), type checked by its content."""

    item = models.ForeignKey(
        KnowledgeItem, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("item")
    )
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=_attachment_path)
    token = models.CharField(max_length=32, editable=False)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["item_id", "name", "pk"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:attachment_download", args=[self.item_id, self.pk])


class ItemEmbedding(models.Model):
    """An item's text as a unit vector (float32 bytes), for the optional semantic search.

    Not a scoped record of its own: it is only ever read for items already narrowed by
    ``visible_to`` / ``readable_items`` (``semantic.semantic_order``). ``text_hash`` tells
    whether the item's text changed since the vector was computed, ``model`` which embedder
    made it (vectors of two models are never compared)."""

    item = models.OneToOneField(
        KnowledgeItem, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("item embedding")

    def __str__(self) -> str:
        return f"{self.model} vector of item {self.item_id}"
