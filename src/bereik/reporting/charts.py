"""Server-rendered bar charts: geometry only; the SVG is the template ``reporting/_chart.html``.
Every chart is drawn from one column of a ``Table`` and the table itself is always shown beside
it, so the numbers never depend on the picture."""

from dataclasses import dataclass

from .tables import SHARE, Table

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
BAR_HEIGHT = 22
GAP = 8
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: object
    y: int
    width: float
    text_y: int


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    kind: str
    width: int
    height: int
    label_width: int
    value_x: float
    bars: tuple[Bar, ...]


def bar_chart(table: Table) -> BarChart | None:
    """A horizontal bar chart of the table's chart column, or None when there is nothing to draw."""
    if table.chart_column is None or not table.rows:
        return None
    column = table.columns[table.chart_column]
    values = [row[table.chart_column] for row in table.rows]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    scale_max = 1.0 if column.kind == SHARE else max(max(numbers), 1)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        y = TOP + index * (BAR_HEIGHT + GAP)
        drawn = value if isinstance(value, int | float) and not isinstance(value, bool) else 0
        bars.append(
            Bar(
                label=str(row[0]),
                value=value,
                y=y,
                width=round(plot * min(float(drawn) / scale_max, 1.0), 1),
                text_y=y + BAR_HEIGHT // 2 + 5,
            )
        )
    return BarChart(
        key=table.key,
        title=table.title,
        kind=column.kind,
        width=WIDTH,
        height=TOP * 2 + len(bars) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
        value_x=LABEL_WIDTH + plot + 6,
        bars=tuple(bars),
    )
