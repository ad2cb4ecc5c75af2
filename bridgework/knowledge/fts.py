"""Ranked full-text search of knowledge items, on SQLite (FTS5) and PostgreSQL (tsvector, GIN).

Both weigh the title above the summary above the body and stem by the item's language:

* **SQLite**: ``knowledge_fts`` is an FTS5 table (made by migration 0002) whose rowid is the
  item's id and whose columns hold Snowball stems (:func:`text.index_text`); ranked by
  ``bm25`` with weights 10 / 4 / 1.
* **PostgreSQL**: the item table's ``search_vector`` column (migration 0002, with its GIN
  index) holds ``setweight(to_tsvector(english|french, …), A|B|C)``; ranked by ``ts_rank``.

A query is matched by any of its words (stemmed in both languages), so the ranking, not an
AND, decides what comes first. Text is folded to unaccented lower case on both sides.

The index follows every save and delete (``signals``); bulk loads call :func:`sync_index`.
Who may see an item is never decided here: these functions narrow a queryset already scoped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from .text import _fold, index_text, query_stems, words

__all__ = ["FTS_TABLE", "has_index", "matching", "ranked", "remove_from_index", "sync_index"]

FTS_TABLE = "knowledge_fts"
PG_CONFIGS = {"en": "english", "fr": "french"}
BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"


def has_index() -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def _folded(text: str) -> str:
    return " ".join(_fold(word) for word in (text or "").split())


def sync_index(item_ids: Iterable[int]) -> None:
    """Bring the index entries of these items in step with their text."""
    from .models import KnowledgeItem

    ids = list(item_ids)
    if not ids or not has_index():
        return
    rows = list(
        KnowledgeItem.objects.filter(pk__in=ids).values_list(
            "pk", "title", "summary", "body", "language"
        )
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            remove_from_index(ids)
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [
                    (pk, index_text(title, lang), index_text(summary, lang), index_text(body, lang))
                    for pk, title, summary, body, lang in rows
                ],
            )
        else:
            cursor.executemany(
                "UPDATE knowledge_knowledgeitem SET search_vector ="
                " setweight(to_tsvector(%s::regconfig, %s), 'A')"
                " || setweight(to_tsvector(%s::regconfig, %s), 'B')"
                " || setweight(to_tsvector(%s::regconfig, %s), 'C') WHERE id = %s",
                [
                    (
                        *(PG_CONFIGS.get(lang, "english"), _folded(title)),
                        *(PG_CONFIGS.get(lang, "english"), _folded(summary)),
                        *(PG_CONFIGS.get(lang, "english"), _folded(body)),
                        pk,
                    )
                    for pk, title, summary, body, lang in rows
                ],
            )


def remove_from_index(item_ids: Iterable[int]) -> None:
    ids = list(item_ids)
    if ids and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608


def _fts5_query(text: str) -> str:
    return " OR ".join(f'"{stem}"' for stem in query_stems(text))


def _pg_query(text: str) -> str:
    return " | ".join(dict.fromkeys(_fold(word) for word in words(text)[:20]))


def _pg_tsquery() -> str:
    return "(to_tsquery('english', %s) || to_tsquery('french', %s))"


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The items of ``queryset`` that the words of ``text`` find (none if it has no word)."""
    if not words(text):
        # Nothing to match (":" or a lone quote): no items, still orderable by rank.
        return _unranked(queryset).none()
    vendor = connection.vendor
    if vendor == "sqlite":
        found = RawSQL(  # noqa: S611
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [_fts5_query(text)],
        )
        return queryset.filter(pk__in=found)
    if vendor == "postgresql":
        query = _pg_query(text)
        return queryset.filter(
            pk__in=RawSQL(  # noqa: S611
                f"SELECT id FROM knowledge_knowledgeitem WHERE search_vector @@ {_pg_tsquery()}",  # noqa: S608
                [query, query],
            )
        )
    folded = Q()
    for word in words(text)[:5]:
        folded |= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    return queryset.filter(folded)


def ranked(queryset: QuerySet, text: str) -> QuerySet:
    """``matching``, with ``search_rank`` (higher is better) to order by."""
    if not words(text):
        # Nothing to match (":" or a lone quote): no items, still orderable by rank.
        return _unranked(queryset).none()
    vendor = connection.vendor
    if vendor == "sqlite":
        # A join, so FTS5 computes every rank in one pass over its index.
        return queryset.extra(  # noqa: S610 - fixed SQL, the query is a parameter
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = knowledge_knowledgeitem.id", f"{FTS_TABLE} MATCH %s"],
            params=[_fts5_query(text)],
            select={"search_rank": f"-{BM25}"},
        )
    if vendor == "postgresql":
        query = _pg_query(text)
        return matching(queryset, text).annotate(
            search_rank=RawSQL(  # noqa: S611
                f"ts_rank(knowledge_knowledgeitem.search_vector, {_pg_tsquery()}, 1)",
                [query, query],
                output_field=FloatField(),
            )
        )
    return _unranked(matching(queryset, text))


def _unranked(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(search_rank=RawSQL("0", [], output_field=FloatField()))  # noqa: S611
