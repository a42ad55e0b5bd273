"""Geometry of the planner's reach chart; the SVG itself is the template
``reach/_chart.html``, so its labels are translated like the rest of the page."""

from dataclasses import dataclass

from .services import Plan

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ReachChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    target_y: float
    day_x: float
    day_y: float


def reach_chart(plan: Plan) -> ReachChart:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = len(plan.days)

    def x(number: int) -> float:
        return LEFT + (number - 1) * plot_w / max(1, days - 1)

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    step = 7 if days > 14 else 1
    x_numbers = sorted({1, *range(step, days + 1, step), days})
    return ReachChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=LEFT + plot_w,
        top=TOP,
        bottom=TOP + plot_h,
        points=" ".join(f"{x(d.number):.1f},{y(d.reach):.1f}" for d in plan.days),
        y_ticks=tuple(Tick(round(y(p / 100), 1), f"{p}%") for p in range(0, 101, 20)),
        x_ticks=tuple(Tick(round(x(n), 1), str(n)) for n in x_numbers),
        target_y=round(y(plan.target), 1),
        day_x=round(x(plan.day), 1),
        day_y=round(y(plan.on_day.reach), 1),
    )
