import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from calendarapp.models import BotStatistics

SERIES = {
    "user_count": "Новые пользователи",
    "event_count": "Создано событий",
    "edited_events": "Изменено событий",
    "cancelled_events": "Удалено событий",
    "appointment_count": "Встречи",
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
