"""Server-drawn SVG line charts for the admin: no JavaScript, no CDN, nothing to load."""

from dataclasses import dataclass

from django.utils.functional import Promise

from calendarapp.selectors.statistics import SERIES, DailySeries

COLORS = {
    "user_count": "#2b6cb0",
    "event_count": "#2f855a",
    "edited_events": "#b7791f",
    "cancelled_events": "#c53030",
    "appointment_count": "#6b46c1",
}
WIDTH, HEIGHT = 900, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Line:
    name: str
    label: str | Promise  # lazy: rendered in the reader's language
    color: str
    points: str
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]  # (y position, value)
    x_ticks: list[tuple[float, str]]  # (x position, label)
    plot_left: int = LEFT
    plot_top: int = TOP
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_width: int = WIDTH - LEFT - RIGHT
    plot_height: int = HEIGHT - TOP - BOTTOM
    label_x: int = LEFT - 6
    label_y: int = HEIGHT - 14


def line_chart(series: DailySeries) -> Chart:
    count = len(series.days)
    peak = max([1, *(max(values, default=0) for values in series.values.values())])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / peak)

    lines = [
        Line(
            name=name,
            label=label,
            color=COLORS[name],
            points=" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series.values[name])),
            total=sum(series.values[name]),
        )
        for name, label in SERIES.items()
    ]
    step = max(1, count // 6)
    x_ticks = [(x(i), series.days[i].strftime("%d.%m")) for i in range(0, count, step)]
    y_values = sorted({0, peak // 2, peak})
    y_ticks = [(y(v), v) for v in y_values]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks)
