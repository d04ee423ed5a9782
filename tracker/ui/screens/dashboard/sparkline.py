"""The dashboard's trend chart with gaps: a week too few to judge is drawn blank, never as a bar
(which would read as a rate of its own). Textual's ``Sparkline`` widget with its styles, colours
and bars; only the columns are laid out here, one per week rather than buckets of values."""

from __future__ import annotations

from typing import Sequence

from rich.color import Color, blend_rgb
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult as WidgetRenderResult
from textual.reactive import reactive
from textual.renderables.sparkline import Sparkline as Bars
from textual.widgets import Sparkline


class GappedSparkline(Sparkline):
    """A sparkline of ``values``, one column per value; None is a gap."""

    DEFAULT_CSS = "GappedSparkline { height: 3; }"

    values: reactive[tuple[float | None, ...]] = reactive(tuple)

    def __init__(self, values: Sequence[float | None] = (), *, id: str | None = None) -> None:
        super().__init__(None, id=id)
        self.set_reactive(GappedSparkline.values, tuple(values))

    def render(self) -> WidgetRenderResult:
        _, base = self.background_colors
        low = base + self.get_component_styles("sparkline--min-color").color
        high = base + self.get_component_styles("sparkline--max-color").color
        return GappedBars(
            self.values, width=self.size.width, height=self.size.height, low=low.rich_color, high=high.rich_color
        )


class GappedBars:
    """Each value a column of equal width (the cells left over go to the first columns), scaled
    from the lowest value shown to the highest and coloured between ``low`` and ``high``, as
    Textual's sparkline draws its buckets."""

    def __init__(self, values: Sequence[float | None], *, width: int, height: int, low: Color, high: Color) -> None:
        self.values = values
        self.width, self.height = width, height
        self.low, self.high = low, high

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        height = self.height or 1
        shown = [value for value in self.values if value is not None]
        columns = len(self.values)
        lowest = min(shown) if shown else 0.0
        extent = (max(shown) - lowest) if shown else 0.0
        extent = extent or 1.0
        per_line = len(Bars.BARS)
        steps = per_line * height - 1
        widths = [width // columns + (1 if index < width % columns else 0) for index in range(columns)]
        for line in reversed(range(height)):
            low_part, high_part = line * per_line, (line + 1) * per_line
            for value, cells in zip(self.values, widths):
                if not cells:
                    continue
                if value is None:
                    yield Segment(" " * cells)
                    continue
                ratio = (value - lowest) / extent
                level = int(ratio * steps)
                if level < low_part:
                    yield Segment(" " * cells)
                    continue
                bar = "█" if level >= high_part else Bars.BARS[level % per_line]
                yield Segment(bar * cells, Style(color=self._blend(ratio)))
            if not columns:
                yield Segment(" " * width)
            if line > 0:
                yield Segment.line()

    def _blend(self, ratio: float) -> Color:
        return Color.from_triplet(blend_rgb(self.low.get_truecolor(), self.high.get_truecolor(), ratio))
