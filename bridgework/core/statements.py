"""A statement compiled once and run many times: SQL text and the layout of its parameters.

Building a queryset and compiling it costs Python time (a few hundred microseconds a statement)
that a cheap statement does not: the 3W of a city spends ten times longer there than in the
database. When a statement's *shape* (its text and which parameters are constants) depends only
on a few things known before its values, it can be compiled once per shape and bound to the
values of each call.

:func:`compile_statement` finds the layout without trusting anyone's description of it: it
builds the statement twice, from two sets of sample values that differ in every slot, and
requires the same text, the same constants, and each differing parameter to be one slot's
sample value in both builds. Anything else (a value written into the text, a slot transformed
on its way into the parameters, a slot appearing where another's value is expected) gives no
statement, and the caller keeps its ORM path. What is cached is SQL and constants, never rows:
every call still reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Statement", "compile_statement"]

Built = tuple[str, Sequence[Any]]


@dataclass(frozen=True)
class Statement:
    """SQL text; its parameters, constants as compiled; and the positions filled per call."""

    sql: str
    constants: tuple[Any, ...]
    # (position in the parameters, slot name, the type the database layer wraps it in or None)
    slots: tuple[tuple[int, str, type | None], ...]

    def bind(self, values: Mapping[str, Any]) -> list[Any]:
        """The parameters for one call: the constants, with each slot's value in its places
        (wrapped as the ORM wraps it: psycopg's ``Int2`` for a small integer column)."""
        params = list(self.constants)
        for position, name, wrap in self.slots:
            params[position] = values[name] if wrap is None else wrap(values[name])
        return params


def compile_statement(
    build: Callable[[Mapping[str, Any]], Built], samples: tuple[Mapping[str, Any], ...]
) -> Statement | None:
    """The statement ``build`` makes, with its slots located, or None when its layout cannot be
    told for certain. ``build`` makes (sql, params) from a mapping of slot values; ``samples``
    are two or more such mappings with the same keys, each value distinct from every other
    value of every sample and from the statement's constants (values that cannot occur in
    real data)."""
    if len(samples) < 2 or any(sample.keys() != samples[0].keys() for sample in samples):
        raise ValueError("compile_statement needs two or more samples with the same slots")
    for sample in samples:
        _check_distinct(sample)
    builds = [(sql, list(params)) for sql, params in (build(sample) for sample in samples)]
    sql, first = builds[0]
    if any(other_sql != sql or len(params) != len(first) for other_sql, params in builds[1:]):
        return None
    constants: list[Any] = []
    slots: list[tuple[int, str, type | None]] = []
    for position, value in enumerate(first):
        found = [
            _slot_of(params[position], sample)
            for sample, (_sql, params) in zip(samples, builds, strict=True)
        ]
        if found[0] is not None:
            if any(other != found[0] for other in found):
                return None  # a slot's value, but not the same slot (or wrapping) in every build
            slots.append((position, *found[0]))
            constants.append(None)
        elif any(other is not None for other in found) or any(
            not _same(params[position], value) for _sql, params in builds[1:]
        ):
            return None  # differs between builds without being a slot: not a constant
        else:
            constants.append(value)
    return Statement(sql, tuple(constants), tuple(slots))


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type, so that ``True`` is not mistaken for ``1``."""
    return type(a) is type(b) and a == b


def _slot_of(param: Any, sample: Mapping[str, Any]) -> tuple[str, type | None] | None:
    """The slot whose sample value ``param`` is, as is or wrapped in a subclass of its type
    by the database layer (never a ``bool`` for an ``int``); and that wrapping type."""
    for name, value in sample.items():
        if _same(param, value):
            return name, None
        if (
            isinstance(param, type(value))
            and not isinstance(param, bool)
            and not isinstance(value, bool)
            and param == value
        ):
            return name, type(param)
    return None


def _check_distinct(sample: Mapping[str, Any]) -> None:
    seen: dict[Any, str] = {}
    for name, value in sample.items():
        if value in seen:
            raise ValueError(f"slots {seen[value]} and {name} share a sample value")
        seen[value] = name
