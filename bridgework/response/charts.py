"""A weekly trend drawn on the server as SVG (no JavaScript): the highest level reported
each week as a line of points, the average as a second line; always beside a table."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LineChart", "Point", "line_chart"]

WIDTH = 640
HEIGHT = 220
LEFT = 40
BOTTOM = 30
TOP = 10


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float | None  # highest
    y_average: float | None
    value: int | None
    average: float | None


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    gridlines: list[tuple[int, float]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT

    @property
    def highest_path(self) -> str:
        return _polyline([(p.x, p.y) for p in self.points])

    @property
    def average_path(self) -> str:
        return _polyline([(p.x, p.y_average) for p in self.points])

    @property
    def axis_y(self) -> int:
        return HEIGHT - BOTTOM


def _polyline(points: list[tuple[float, float | None]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points if y is not None)


def line_chart(rows: list[tuple[str, int | None, float | None]], *, top: int) -> LineChart | None:
    """``rows``: (week label, highest level, average level); None when nothing was reported."""
    if not any(value is not None for _label, value, _avg in rows):
        return None
    room_x = WIDTH - LEFT - 10
    room_y = HEIGHT - BOTTOM - TOP
    step = room_x / max(len(rows) - 1, 1)

    def y_of(value: float | None) -> float | None:
        return None if value is None else HEIGHT - BOTTOM - (value / top) * room_y

    points = [
        Point(label, LEFT + index * step, y_of(value), y_of(average), value, average)
        for index, (label, value, average) in enumerate(rows)
    ]
    grid = [(level, HEIGHT - BOTTOM - (level / top) * room_y) for level in range(1, top + 1)]
    return LineChart(points=points, gridlines=grid)
