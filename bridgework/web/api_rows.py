"""``RecordOut``: the base of the API's answer schemas, which reads a record's fields in one
pass before pydantic checks them.

ninja's ``Schema`` wraps each record in a ``DjangoGetter`` and pydantic then asks it for each
field through Python (a resolver lookup, ``getattr`` and a type check per field). A list of 50
records of a dozen fields made 600 such calls, a fifth of the organisation list's time
(decision 0009). ``RecordOut`` reads the same values into a dict, with a C ``attrgetter`` per
plain field, and hands that to pydantic, whose checks of a dict run in C.

The answer is the same as ninja's: a ``resolve_<field>`` method wins over the attribute; a
missing attribute leaves the field to its default; a related manager or queryset becomes a
list, a callable is called, a file becomes its URL. Anything that is not a model instance
(a dict, a plain object) goes through ninja's own path.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator

__all__ = ["RecordOut"]

# Values ninja's getter would pass through unchanged, checked by their exact type.
_PLAIN = frozenset({str, int, bool, float, type(None), list, dict, date, datetime, Decimal})

_Reader = tuple[str, Callable[[Any, Any], Any]]

# Built on first use, per schema class: (the key pydantic asks for, its reader).
_READERS: dict[type, list[_Reader]] = {}


def _attribute(path: str) -> Callable[[Any, Any], Any]:
    get = operator.attrgetter(path)
    return lambda obj, _context: get(obj)


def _resolved(resolver: Any) -> Callable[[Any, Any], Any]:
    func = resolver._func
    if resolver._takes_context:
        return lambda obj, context: func(obj, context=context)
    return lambda obj, _context: func(obj)


class RecordOut(Schema):
    """An answer schema whose records are read in one pass (see the module's docstring)."""

    @classmethod
    def _record_readers(cls) -> list[_Reader]:
        readers = _READERS.get(cls)
        if readers is None:
            resolvers = cls._ninja_resolvers  # type: ignore[attr-defined]
            readers = []
            for name, field in cls.model_fields.items():
                key = field.alias or name
                resolver = resolvers.get(key)
                readers.append((key, _resolved(resolver) if resolver else _attribute(key)))
            _READERS[cls] = readers
        return readers

    @classmethod
    def _record_values(cls, obj: models.Model, context: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        getter = None
        for key, read in cls._record_readers():
            try:
                value = read(obj, context)
            except AttributeError:
                continue  # as ninja: the field's default, or pydantic's "missing"
            if type(value) not in _PLAIN:
                getter = getter or DjangoGetter(obj, cls, context)
                value = getter._convert_result(value)
            values[key] = value
        return values

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        config = cls.model_config
        if isinstance(values, models.Model) and not (
            config.get("extra") == "forbid" or config.get("validate_assignment", False)
        ):
            return handler(cls._record_values(values, info.context))
        # ninja's own path (a classmethod under pydantic's decorator, which mypy cannot see)
        return super()._run_root_validator(values, handler, info)  # type: ignore[operator]
