"""Texts written once and kept, by all that decides them: the page shell's menus and the
filter forms' options are the same on nearly every page (decision 0012)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

__all__ = ["KeptTexts"]

T = TypeVar("T")


class KeptTexts(Generic[T]):
    """A bounded store of written texts (emptied when full). A key may name objects by their
    identity (a translated label, a menu entry): ``keep`` holds those objects alive with the
    text, so no other object can take their identity while the text is kept."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._kept: dict[Hashable, tuple[Any, T]] = {}

    def get(self, key: Hashable, keep: Any, write: Callable[[], T]) -> T:
        kept = self._kept.get(key)
        if kept is None:
            if len(self._kept) >= self._limit:
                self._kept.clear()
            kept = self._kept[key] = (keep, write())
        return kept[1]

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()
