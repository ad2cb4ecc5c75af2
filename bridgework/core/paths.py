"""Materialised-path arithmetic for the place tree.

A path is a string of fixed-width base-36 segments between slashes, e.g. ``/0001/002a/``.
The subtree of a path ``p`` is every path ``q`` with ``p <= q < p[:-1] + "0"``: ``"0"`` sorts
right after ``"/"`` in binary collation, so the range holds exactly the paths that start with
``p``. A range is an index seek on both SQLite and PostgreSQL, where ``LIKE 'p%'``
(``startswith``) is a table scan on SQLite. Everything that filters by subtree calls
:func:`subtree_q`.
"""

from django.db import models
from django.db.models import Q

__all__ = [
    "SEGMENT_WIDTH",
    "PathPrefix",
    "ancestor_at",
    "ancestor_paths",
    "prefix_length",
    "child_path",
    "depth_of",
    "encode_segment",
    "subtree_bounds",
    "subtree_q",
    "subtrees_q",
]

SEGMENT_WIDTH = 4
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_MAX_SEGMENT = 36**SEGMENT_WIDTH - 1


def encode_segment(number: int) -> str:
    """Base-36, zero padded, so string order equals numeric order."""
    if not 0 <= number <= _MAX_SEGMENT:
        raise ValueError(f"segment {number} out of range 0..{_MAX_SEGMENT}")
    out = []
    for _ in range(SEGMENT_WIDTH):
        number, rem = divmod(number, 36)
        out.append(_DIGITS[rem])
    return "".join(reversed(out))


def decode_segment(segment: str) -> int:
    return int(segment, 36)


def child_path(parent_path: str, number: int) -> str:
    return f"{parent_path or '/'}{encode_segment(number)}/"


def depth_of(path: str) -> int:
    """Root paths (``/0001/``) have depth 0."""
    return path.count("/") - 2


def ancestor_paths(path: str) -> list[str]:
    """Paths of the ancestors of ``path``, root first, without ``path`` itself."""
    segments = path.strip("/").split("/")
    return ["/" + "/".join(segments[:i]) + "/" for i in range(1, len(segments))]


def prefix_length(depth: int) -> int:
    """The length of every path at ``depth``: the path of a row's ancestor at that depth is
    the row's path cut to this length (``Substr(path, 1, prefix_length(d))`` in SQL)."""
    return 1 + (depth + 1) * (SEGMENT_WIDTH + 1)


def ancestor_at(path: str, depth: int) -> str:
    """The path of the ancestor of ``path`` at ``depth`` (``path`` itself at its own depth)."""
    if depth < 0 or depth > depth_of(path):
        raise ValueError(f"{path!r} has no ancestor at depth {depth}")
    return path[: prefix_length(depth)]


def subtree_bounds(path: str) -> tuple[str, str]:
    if not (path.startswith("/") and path.endswith("/")):
        raise ValueError(f"not a materialised path: {path!r}")
    return path, path[:-1] + "0"


def subtree_q(field: str, path: str) -> Q:
    """``Q`` for rows whose ``field`` lies in the subtree rooted at ``path`` (inclusive)."""
    low, high = subtree_bounds(path)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def subtrees_q(field: str, paths: "list[str] | set[str]") -> Q:
    """Union of subtrees; nested paths are collapsed so each range is tested once."""
    result = Q(pk__in=[])
    for path in collapse_nested(paths):
        result |= subtree_q(field, path)
    return result


def collapse_nested(paths: "list[str] | set[str]") -> list[str]:
    """Drop paths that lie inside another path of the set."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


class PathPrefix(models.Func):
    """``SUBSTR(path, 1, prefix_length(depth))``: the path of a row's ancestor at ``depth``, or
    the row's own path when it is shallower. The length is written into the SQL rather than
    bound, so an index on this expression and a condition on it are the same expression to
    the database (a bound parameter never matches an index's constant)."""

    function = "SUBSTR"
    output_field = models.CharField()

    def __init__(self, expression, depth: int, **extra):
        if not 0 <= depth < 16:
            raise ValueError(f"depth {depth} out of range")
        self.depth = depth
        template = f"%(function)s(%(expressions)s, 1, {prefix_length(depth)})"
        super().__init__(expression, template=template, **extra)
