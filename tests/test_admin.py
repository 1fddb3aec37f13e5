import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calendarapp.models import Appointment, BotStatistics, Event, OutboxMessage, TgUser

CHANGELISTS = [TgUser, Event, Appointment, BotStatistics, OutboxMessage]


def seed_rows(count: int) -> None:
    base = timezone.localdate()
    users = TgUser.objects.bulk_create(
        TgUser(tg_id=10_000 + i, username=f"user{i}", bot_started_at=timezone.now())
        for i in range(count + 1)
    )
    events = Event.objects.bulk_create(
        Event(owner=users[i], name=f"event {i}", date=base, time=dt.time(10, 0))
        for i in range(count)
    )
    Appointment.objects.bulk_create(
        Appointment(
            event=events[i],
            organizer=users[i],
            participant=users[i + 1],
            date=base,
            time=dt.time(10, 0),
        )
        for i in range(count)
    )
    BotStatistics.objects.bulk_create(
        BotStatistics(date=base - dt.timedelta(days=i), event_count=i) for i in range(count)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(chat_id=users[i].pk, kind="invitation") for i in range(count)
    )


def changelist_queries(client, model) -> tuple[int, str]:
    url = reverse(f"admin:calendarapp_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    seed_rows(1)
    one_row, _ = changelist_queries(admin_client, model)
    for table in (OutboxMessage, BotStatistics, TgUser):  # users cascade to events, meetings
        table.objects.all().delete()
    seed_rows(50)
    fifty_rows, html = changelist_queries(admin_client, model)
    assert fifty_rows == one_row, (
        f"{model.__name__}: {one_row} queries for 1 row, {fifty_rows} for 50"
    )
    assert html.count("<tr") > 50


@pytest.mark.django_db
def test_user_changelist_shows_counters_and_event_totals(admin_client):
    seed_rows(3)
    TgUser.objects.filter(pk=10_000).update(events_created=7, events_edited=2, events_cancelled=1)
    html = admin_client.get(reverse("admin:calendarapp_tguser_changelist")).content.decode()
    assert "user0" in html
    assert "Событий сейчас" in html
    assert '<td class="field-events_created">7</td>' in html


@pytest.mark.django_db
def test_events_are_read_only_in_admin(admin_client):
    seed_rows(1)
    event = Event.objects.get()
    assert admin_client.get(reverse("admin:calendarapp_event_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:calendarapp_event_change", args=[event.pk]), {"name": "changed"}
    )
    assert response.status_code == 403
    assert Event.objects.get().name == "event 0"


@pytest.mark.django_db
def test_event_search_and_filters(admin_client):
    seed_rows(3)
    Event.objects.filter(name="event 1").update(is_public=True)
    url = reverse("admin:calendarapp_event_changelist")
    html = admin_client.get(url, {"is_public__exact": "1"}).content.decode()
    assert "event 1" in html
    assert "event 2" not in html
    html = admin_client.get(url, {"q": "event 2"}).content.decode()
    assert "event 2" in html
    assert "event 1<" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["30", "90"])
def test_statistics_chart_for_30_and_90_days(admin_client, period):
    today = timezone.localdate()
    BotStatistics.objects.create(date=today, user_count=4, event_count=9)
    BotStatistics.objects.create(date=today - dt.timedelta(days=45), event_count=100)
    url = reverse("admin:calendarapp_botstatistics_changelist")
    response = admin_client.get(url, {"period": period})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Активность за {period} дней" in html
    assert html.count("<polyline") == 5
    # SVG coordinates with a decimal point: the Russian admin must not write "244,0".
    assert 'y1="244.0"' in html
    assert not re.search(r'="\d+,\d"', html)
    # The 45-day-old row belongs to the 90-day chart only.
    expected_events = "109" if period == "90" else "9"
    assert f'<strong class="total-event_count">{expected_events}</strong>' in html
    assert '<strong class="total-user_count">4</strong>' in html


@pytest.mark.django_db
def test_statistics_chart_ignores_unknown_periods(admin_client):
    url = reverse("admin:calendarapp_botstatistics_changelist")
    response = admin_client.get(url, {"period": "junk"})
    assert response.status_code == 200
    assert "Активность за 30 дней" in response.content.decode()


# --- languages: Russian by default, English for English browsers and by choice ------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("", "ru"), ("ru-RU,ru;q=0.9", "ru"), ("en-US,en;q=0.9", "en"), ("en-GB", "en"), ("de", "ru")],
)
def test_admin_speaks_the_browsers_language_russian_by_default(
    admin_client, accept_language, language
):
    url = reverse("admin:calendarapp_botstatistics_changelist")
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()
    assert f'<html lang="{language}"' in html
    if language == "en":
        assert "Select day of statistics to view" in html
        assert "Activity in the last 30 days" in html
    else:
        assert "Выберите статистика за день для просмотра" in html
        assert "Активность за 30 дней" in html


@pytest.mark.django_db
def test_the_language_switcher_sets_the_language_for_the_next_pages(admin_client):
    index = reverse("admin:index")
    html = admin_client.get(index).content.decode()
    assert 'id="language-switcher"' in html
    assert f'action="{reverse("set_language")}"' in html
    # Each language in its own name, whatever the page's language.
    assert ">Русский</button>" in html and ">English</button>" in html
    response = admin_client.post(reverse("set_language"), {"language": "en", "next": index})
    assert response.status_code == 302 and response["Location"] == index
    # The choice wins over the browser's language.
    html = admin_client.get(index, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="en"' in html and "Telegram users" in html


@pytest.mark.django_db
def test_permissions_are_named_in_the_readers_language(admin_client):
    url = reverse("admin:auth_group_add")
    russian = admin_client.get(url).content.decode()
    assert "Календарь | событие | Может добавлять: событие" in russian
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Calendar | event | Can add event" in english
    assert "Can add событие" not in russian + english  # the name Django stores
