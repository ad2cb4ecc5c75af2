"""Reads of the knowledge hub that are more than a filter: what a reader may read (scoped or
public), and the ranked search with its counts and snippets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict

from bridgework.access.policy import log_sensitive_reads
from bridgework.actors.models import Theme

from .filters import FACETS, KnowledgeItemFilterSet
from .fts import matching, ranked
from .models import KnowledgeItem, public_items
from .text import plain_text, snippet

__all__ = ["Facet", "SearchPage", "readable_items", "search_items"]

PAGE_SIZE = 20


def readable_items(user) -> QuerySet:
    """What ``user`` may read: the items their roles reach, and every public item."""
    return KnowledgeItem.objects.visible_to(user, "view") | public_items()


@dataclass
class Facet:
    name: str
    label: Any
    values: list[tuple[str, str, int, bool]]  # (value, label, count, chosen)


@dataclass
class Hit:
    item: KnowledgeItem
    snippet: str


@dataclass
class SearchPage:
    filterset: KnowledgeItemFilterSet
    text: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def _facet_labels(name: str, filterset) -> dict[str, str]:
    if name == "theme":
        return {theme.slug: str(theme) for theme in Theme.objects.all()}
    choices = filterset.filters[name].extra.get("choices") or []
    return {str(value): str(label) for value, label in choices}


def search_items(request, data: QueryDict, *, page: int = 1) -> SearchPage:
    """One page of the items ``request.user`` may read that match ``data`` (the filter set's
    parameters), best first, with a snippet each and the counts of every filter's values.
    Counts and snippets come only from readable items: a RED item is not even a number."""
    user = request.user
    text = (data.get("q") or "").strip()[:200]
    without_text = data.copy()
    without_text.pop("q", None)
    filterset = KnowledgeItemFilterSet(data, queryset=readable_items(user), request=request)
    base = KnowledgeItemFilterSet(without_text, queryset=readable_items(user), request=request)
    result = SearchPage(filterset=filterset, text=text, page=page)
    if not filterset.is_valid() or not base.is_valid():
        return result
    found = base.qs.distinct()
    if text:
        found = matching(found, text)
    result.total = found.count()
    for name, column in FACETS:
        counts = (
            KnowledgeItem.objects.filter(pk__in=found.values("pk"))
            .values(column)
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", column)
        )
        labels = _facet_labels(name, filterset)
        chosen = data.get(name, "")
        values = [
            (
                str(row[column]),
                labels.get(str(row[column]), str(row[column])),
                row["n"],
                str(row[column]) == chosen,
            )
            for row in counts
            if row[column]
        ]
        result.facets.append(Facet(name, filterset.filters[name].label, values))
    start = (page - 1) * PAGE_SIZE
    if text:
        rows = ranked(base.qs, text).order_by("-search_rank", "pk")
    else:
        rows = base.qs.order_by("-published_on", "title", "pk")
    items = list(rows.select_related("place")[start : start + PAGE_SIZE + 1])
    result.has_next = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    log_sensitive_reads(user, items)
    for item in items:
        passage = plain_text(f"{item.summary}\n\n{item.body}")
        shown = snippet(passage, text, item.language) if text else item.summary
        result.hits.append(Hit(item, shown))
    return result
