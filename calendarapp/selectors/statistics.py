import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendarapp.models import BotStatistics

# Counter name -> its label in the chart's legend.
SERIES = {
    "user_count": _("Новые пользователи"),
    "event_count": _("Создано событий"),
    "edited_events": _("Изменено событий"),
    "cancelled_events": _("Удалено событий"),
    "appointment_count": _("Встречи"),
}


@dataclass(frozen=True)
class DailySeries:
    days: list[dt.date]
    values: dict[str, list[int]]  # counter name -> one value per day, oldest first


def daily_series(*, days: int, end: dt.date | None = None) -> DailySeries:
    """The last `days` days of statistics, with zeros for days nobody used the bot."""
    end = end or timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    rows = {
        row["date"]: row
        for row in BotStatistics.objects.filter(date__range=(start, end)).values("date", *SERIES)
    }
    dates = [start + dt.timedelta(days=offset) for offset in range(days)]
    values = {name: [rows.get(day, {}).get(name, 0) for day in dates] for name in SERIES}
    return DailySeries(days=dates, values=values)
