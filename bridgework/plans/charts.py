"""Bar charts drawn on the server as SVG: readable without JavaScript, each bar titled with
its label and value, and always shown beside a table of the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Bar", "BarChart", "bar_chart"]

WIDTH = 640
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 180
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 6


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def value_x(self) -> int:
        return self.width - VALUE_WIDTH + 8


def bar_chart(items: list[tuple[str, Decimal | None]]) -> BarChart | None:
    """Horizontal bars scaled to the largest value; None when there is nothing to draw.
    Missing values get no bar (and read "—"); negative values are drawn as zero length."""
    known = [value for _label, value in items if value is not None]
    if not known:
        return None
    top = max(max(known), Decimal(0)) or Decimal(1)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            y=index * (BAR_HEIGHT + GAP),
            width=float(max(value, Decimal(0)) / top * room) if value is not None else 0.0,
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(bars=bars, height=len(bars) * (BAR_HEIGHT + GAP))
