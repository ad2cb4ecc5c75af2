"""Places named in an import by ISO code, P-code or a name only one of them has; and, for a
name or code that is not one where the user may add records, why (unknown, or known but out of
their reach) and which of their places come nearest."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from bridgework.access.policy import places_for
from bridgework.places.models import Place

__all__ = ["PlaceNames"]

# How close a code or name must be to be offered as "did you mean".
SUGGEST_SCORE = 50
SUGGESTIONS = 3
# Codes and names explained in full (known or not, nearest places) per file; the rest are
# called unknown (a file of a thousand bad codes needs fixing, not a thousand suggestions).
EXPLAINED = 100


def _looks_like_code(token: str) -> bool:
    return not any(c.isspace() or c.islower() for c in token)


class PlaceNames:
    """Places named in a file, by ISO code, P-code or a name only one of them has, among the
    places where the user may add records: loaded once, matched in Python (case-insensitive
    whatever the database's collation)."""

    def __init__(self, user, model) -> None:
        self.user = user
        rows = places_for(user, "add", model).values_list("pk", "name", "code", "pcode")
        self.entries: list[tuple[int, str, str, str]] = list(rows)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name, code, pcode in self.entries:
            for key in (code, pcode):
                if key:
                    self.by_code[key.upper()] = pk
            self.by_name.setdefault(name.casefold(), []).append(pk)
        self.objects: dict[int, Place] = {}
        self._problems: dict[str, str] = {}

    def load(self, tokens: Iterable[str]) -> None:
        """Fetch the places ``tokens`` name (one query), and explain the rest (a few more)."""
        wanted: set[int] = set()
        unresolved = []
        for token in {t.strip() for t in tokens if t.strip() and "\x00" not in t}:
            pk = self._resolve(token)
            if pk is None:
                unresolved.append(token)
            elif pk > 0:
                wanted.add(pk)
        self.objects = Place.objects.in_bulk(wanted)
        self._explain(unresolved)

    def _resolve(self, token: str) -> int | None:
        """The place's pk; 0 when several places have that name; None when none has it."""
        pk = self.by_code.get(token.upper())
        if pk is not None:
            return pk
        named = self.by_name.get(token.casefold(), [])
        if len(named) > 1:
            self._problems[token] = _(
                "Several places where you may add records are called “%(name)s”: use its code."
            ) % {"name": token}
            return 0
        return named[0] if named else None

    def _explain(self, tokens: list[str]) -> None:
        """Unknown, or known (a place the user may see) but not one where they may add; the
        first :data:`EXPLAINED` of them with the nearest places offered."""
        if not tokens:
            return
        seen = Q()
        for token in tokens[:EXPLAINED]:
            seen |= Q(code__iexact=token) | Q(pcode__iexact=token) | Q(name__iexact=token)
        visible = Place.objects.visible_to(self.user, "view").filter(seen)
        known: dict[str, Place] = {}
        for place in visible.only("pk", "name", "code", "pcode")[:500]:
            for key in (place.code, place.pcode, place.name):
                if key:
                    known.setdefault(key.casefold(), place)
        for token in tokens:
            place = known.get(token.casefold())
            if place is not None and place.name.casefold() == token.casefold():
                self._problems[token] = _(
                    "“%(name)s” is outside the places where you may add records."
                ) % {"name": place.name}
                continue
            if place is not None:
                self._problems[token] = _(
                    "%(token)s (%(name)s) is outside the places where you may add records."
                ) % {"token": token, "name": place.name}
                continue
            if _looks_like_code(token):
                message = _("%(token)s is not a known place code.") % {"token": token}
            else:
                message = _("“%(token)s” is not a known place.") % {"token": token}
            suggestions = self.suggest(token) if len(self._problems) < EXPLAINED else []
            if suggestions:
                message += " " + _("Did you mean: %(places)s?") % {"places": ", ".join(suggestions)}
            self._problems[token] = message

    def suggest(self, token: str) -> list[str]:
        """The nearest codes and names of places where the user may add records, with names."""
        best: dict[int, float] = {}
        codes = [(pk, c) for pk, _n, code, pcode in self.entries for c in (code, pcode) if c]
        names = [(pk, name) for pk, name, _c, _p in self.entries]
        for pairs, scorer in ((codes, fuzz.ratio), (names, fuzz.WRatio)):
            matches = process.extract(
                token,
                [text for _pk, text in pairs],
                scorer=scorer,
                processor=utils.default_process,
                score_cutoff=SUGGEST_SCORE,
                limit=SUGGESTIONS * 2,
            )
            for _text, score, index in matches:
                pk = pairs[index][0]
                best[pk] = max(best.get(pk, 0.0), score)
        ranked = sorted(best, key=lambda pk: -best[pk])[:SUGGESTIONS]
        entries = {pk: (name, code or pcode) for pk, name, code, pcode in self.entries}
        return [
            f"{entries[pk][1]} ({entries[pk][0]})" if entries[pk][1] else entries[pk][0]
            for pk in ranked
        ]

    def get(self, token: str) -> Place | str:
        """The place, or why there is none."""
        token = token.strip()
        if "\x00" in token:
            return _("Null characters are not allowed.")
        pk = self._resolve(token)
        if pk:
            return self.objects[pk]
        return self._problems.get(token) or _("%(token)s is not a known place code.") % {
            "token": token
        }
