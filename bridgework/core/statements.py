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
    slots: tuple[tuple[int, str], ...]  # (position in the parameters, slot name)

    def bind(self, values: Mapping[str, Any]) -> list[Any]:
        """The parameters for one call: the constants, with each slot's value in its places."""
        params = list(self.constants)
        for position, name in self.slots:
            params[position] = values[name]
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
    owners = [_owners(sample) for sample in samples]
    builds = [build(sample) for sample in samples]
    sql, first = builds[0][0], list(builds[0][1])
    if any(other_sql != sql or len(params) != len(first) for other_sql, params in builds[1:]):
        return None
    constants: list[Any] = []
    slots: list[tuple[int, str]] = []
    for position, value in enumerate(first):
        named = [
            owner.get(_key(params[position]))
            for owner, (_sql, params) in zip(owners, builds, strict=True)
        ]
        if named[0] is not None:
            if any(name != named[0] for name in named):
                return None  # a slot's value, but not the same slot in every build
            slots.append((position, named[0]))
            constants.append(None)
        elif any(name is not None for name in named) or any(
            _key(params[position]) != _key(value) for _sql, params in builds[1:]
        ):
            return None  # differs between builds without being a slot: not a constant
        else:
            constants.append(value)
    return Statement(sql, tuple(constants), tuple(slots))


def _key(value: Any) -> tuple[type, Any]:
    """Compare by type and value, so that ``True`` is not mistaken for ``1``."""
    return (type(value), value)


def _owners(sample: Mapping[str, Any]) -> dict[tuple[type, Any], str]:
    owners: dict[tuple[type, Any], str] = {}
    for name, value in sample.items():
        if _key(value) in owners:
            raise ValueError(f"slots {owners[_key(value)]} and {name} share a sample value")
        owners[_key(value)] = name
    return owners
