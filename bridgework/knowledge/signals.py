"""The search index follows every saved and deleted item, whichever way it was written."""

from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .fts import FTS_TABLE, remove_from_index, sync_index
from .models import KnowledgeItem


@receiver(post_save, sender=KnowledgeItem, dispatch_uid="knowledge-index-save")
def _index_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_index([instance.pk])


@receiver(post_delete, sender=KnowledgeItem, dispatch_uid="knowledge-index-delete")
def _unindex_deleted(sender, instance, **kwargs):
    remove_from_index([instance.pk])


@receiver(post_migrate, dispatch_uid="knowledge-index-prune")
def _prune_index(sender, using="default", **kwargs):
    """A flush (between live-server tests, ``flush`` command) empties the item table but not
    the FTS5 table, which Django does not know: drop the entries of items that are gone."""
    if getattr(sender, "label", "") == "knowledge" and connections[using].vendor == "sqlite":
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN"  # noqa: S608 - constant names
                " (SELECT id FROM knowledge_knowledgeitem)"
            )
