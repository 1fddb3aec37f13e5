import pytest
from django.db import connection
from django.utils import timezone

from calendarapp.models import BotStatistics, TgUser
from calendarapp.services.statistics import bump_daily_statistics, bump_user_counter
from calendarapp.services.users import TelegramProfile, register_user
from tests.support.threads import run_in_threads


@pytest.mark.django_db
def test_one_row_per_day_accumulates():
    bump_daily_statistics(event_count=1)
    bump_daily_statistics(event_count=2, edited_events=1)
    row = BotStatistics.objects.get()
    assert row.date == timezone.localdate()
    assert (row.event_count, row.edited_events, row.cancelled_events) == (3, 1, 0)


@pytest.mark.django_db
def test_unknown_counter_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown"):
        bump_daily_statistics(bogus=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_nothing():
    """Threads race to create today's row and to bump the same counters."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a real server (runs on PostgreSQL)")
    register_user(TelegramProfile(tg_id=1))
    BotStatistics.objects.all().delete()  # let the threads race to create today's row
    threads_count, per_thread = 8, 25

    def worker():
        for _ in range(per_thread):
            bump_daily_statistics(event_count=1)
            bump_user_counter(tg_id=1, counter="events_created")

    run_in_threads(worker, count=threads_count)
    assert BotStatistics.objects.get().event_count == threads_count * per_thread
    assert TgUser.objects.get(pk=1).events_created == threads_count * per_thread
