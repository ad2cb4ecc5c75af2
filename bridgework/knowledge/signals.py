"""The search index follows every saved and deleted item, whichever way it was written."""

from django.db import connections, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .fts import FTS_TABLE, remove_from_index, sync_index
from .models import ItemEmbedding, KnowledgeItem
from .semantic import active_model_name, text_hash


@receiver(post_save, sender=KnowledgeItem, dispatch_uid="knowledge-index-save")
def _index_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_index([instance.pk])
        _embed_if_changed(instance)


def _embed_if_changed(item: KnowledgeItem) -> None:
    """Semantic search on: after commit, compute the item's vector in the background if its
    text (or the model) changed — never in the request that saved it."""
    model = active_model_name()
    if model is None:
        return
    known = ItemEmbedding.objects.filter(item_id=item.pk).values_list("model", "text_hash").first()
    if known == (model, text_hash(item.title, item.summary, item.body)):
        return
    from .tasks import embed_items

    pk = item.pk
    transaction.on_commit(lambda: embed_items.enqueue(item_ids=[pk]))


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
