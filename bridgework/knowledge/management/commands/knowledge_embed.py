"""Backfill the vectors of the optional semantic search (after installing the extra, or
after changing model)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bridgework.knowledge.models import KnowledgeItem
from bridgework.knowledge.semantic import active_embedder, store_embeddings


class Command(BaseCommand):
    help = "Compute the embeddings of knowledge items that have none or whose text changed."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every item's vector")

    def handle(self, *args, **options):
        embedder = active_embedder()
        if embedder is None:
            raise CommandError(
                "Semantic search is not installed: pip install -e '.[semantic]' (see README)."
            )
        ids = list(KnowledgeItem.objects.order_by("pk").values_list("pk", flat=True))
        done = store_embeddings(ids, embedder, force=options["all"])
        self.stdout.write(f"{done} of {len(ids)} items embedded with {embedder.name}.")
