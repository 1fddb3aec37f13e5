#!/usr/bin/env python
"""The floor for bench/bot_throughput.py: its workload's statements on a bare bot.

The echo bot (bench/echo_bot.py) is python-telegram-bot alone. This bot answers the bench's
workload (/create_event and its four answers, /display_events, /read_event N) the way
`manage.py runbot` does it on PostgreSQL in polling mode, with nothing around the statements:
- the same statements per update, on the same tables, written by hand and sent with psycopg
  on the event loop's thread (as runbot's `BOT_DB_THREADS=0`): a dialog step's state, draft
  and the update's id in one data-modifying `WITH`; the last step's event, reminder and two
  counters, then that write, in one transaction; a list page's count and ten rows, then the
  id; an event by id with its owner, then the id;
- answers of the same length with the same keyboards (the month calendar's 45 buttons, a
  new event's six, the card's), dates typed as ISO and times as HH:MM only;
- python-telegram-bot's Application with one handler, the same Bot API client
  (`CalendarBot`: Telegram's echo of a sent keyboard dropped before parsing), HTTP client
  and event loop, the month calendar built once a day as runbot does, and the bot's
  per-person order (PerUserUpdateProcessor).
What it leaves out is what runbot has on top: Django's ORM and models, python-telegram-bot's
ConversationHandler and persistence, translations, the natural-date parser, the gate,
profiles, statistics of languages, jobs. So ours/bare is the cost of that framework work.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \
        DATABASE_URL=postgres://... .venv/bin/python bench/bare_bot.py
"""

import calendar
import datetime as dt
import functools
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

import django

django.setup()  # the settings only (event loop, HTTP client): the ORM is not used

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from telegram import InlineKeyboardButton as Button  # noqa: E402
from telegram import InlineKeyboardMarkup as Markup  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from calendarapp.bot.runtime import eventloop  # noqa: E402
from calendarapp.bot.runtime.botclient import CalendarBot  # noqa: E402
from calendarapp.bot.runtime.processing import PerUserUpdateProcessor  # noqa: E402
from calendarapp.bot.transport.http import bot_requests  # noqa: E402

CONVERSATION = "create_event"
# A dialog step: its state, its draft and the update's id, one statement.
STEP = (
    "WITH w0 AS (INSERT INTO calendarapp_conversationstate (conversation, key, state, updated_at)"
    " VALUES (%s, %s, %s, now()) ON CONFLICT (conversation, key) DO UPDATE"
    " SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at),"
    " w1 AS (INSERT INTO calendarapp_botdataentry (scope, key, data, updated_at)"
    " VALUES ('user', %s, %s, now()) ON CONFLICT (scope, key) DO UPDATE"
    " SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at)"
    " INSERT INTO calendarapp_processedupdate (update_id, processed_at) VALUES (%s, now())"
)
# The dialog's end: its state gone, the draft emptied, the update's id.
END = (
    "WITH w0 AS (DELETE FROM calendarapp_conversationstate WHERE conversation = %s AND key = %s),"
    " w1 AS (INSERT INTO calendarapp_botdataentry (scope, key, data, updated_at)"
    " VALUES ('user', %s, '{}', now()) ON CONFLICT (scope, key) DO UPDATE"
    " SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at)"
    " INSERT INTO calendarapp_processedupdate (update_id, processed_at) VALUES (%s, now())"
)
CLAIM = "INSERT INTO calendarapp_processedupdate (update_id, processed_at) VALUES (%s, now())"
NEW_EVENT = (
    "INSERT INTO calendarapp_event (created_at, updated_at, owner_id, name, date, time,"
    " starts_at, details, is_public, rrule, exdates, rsvp_closed, ics_uid, capacity,"
    " recurrence_of_id, recurrence_id, sequence) VALUES (now(), now(), %s, %s, %s, %s, %s, '',"
    " false, '', '[]', false, '', NULL, NULL, NULL, 0) RETURNING id"
)
NEW_REMINDER = (
    "INSERT INTO calendarapp_reminder (event_id, minutes, occurrence, next_at)"
    " VALUES (%s, 30, %s, %s)"
)
COUNT_PERSON = "UPDATE calendarapp_tguser SET events_created = events_created + 1 WHERE tg_id = %s"
COUNT_DAY = "UPDATE calendarapp_botstatistics SET event_count = event_count + 1 WHERE date = %s"
KINDS = (
    "SELECT COUNT(id) FILTER (WHERE rrule = ''), COUNT(id) FILTER (WHERE NOT rrule = '')"
    " FROM calendarapp_event WHERE owner_id = %s"
)
PAGE = (
    "SELECT id, name, date, time, is_public FROM calendarapp_event"
    " WHERE owner_id = %s AND rrule = '' ORDER BY date, time, id LIMIT 10"
)
ONE = (
    "SELECT e.id, e.name, e.date, e.time, e.details, e.is_public, u.timezone"
    " FROM calendarapp_event e JOIN calendarapp_tguser u ON u.tg_id = e.owner_id"
    " WHERE e.owner_id = %s AND e.id = %s"
)
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def _cancel() -> Markup:
    return Markup([[Button("Отмена", callback_data="cancel")]])


@functools.lru_cache(maxsize=4)
def _month(today: dt.date) -> Markup:
    rows = [[Button(f"{today:%m.%Y}", callback_data="cal:x"), Button("›", callback_data="cal:m")]]
    rows.append([Button(day, callback_data="cal:x") for day in ("Пн", "Вт", "Ср", "Чт", "Пт")])
    rows[-1] += [Button(day, callback_data="cal:x") for day in ("Сб", "Вс")]
    for week in calendar.Calendar().monthdatescalendar(today.year, today.month):
        rows.append(
            [
                Button(f"{day.day}", callback_data=f"cal:d:{day:%Y-%m-%d}")
                if day.month == today.month and day >= today
                else Button("·", callback_data="cal:x")
                for day in week
            ]
        )
    rows.append([Button("Отмена", callback_data="cancel")])
    return Markup(rows)


def _day(day: dt.date) -> str:
    return f"{day:%d.%m.%Y} ({WEEKDAYS[day.weekday()]})"


class Bare:
    def __init__(self, url: str):
        self.db = psycopg.connect(url, autocommit=True)
        self.drafts: dict[int, dict] = {}

    def step(self, person: int, update_id: int, state: str, draft: dict) -> None:
        key = json.dumps([person, person])
        self.db.execute(
            STEP, (CONVERSATION, key, json.dumps(state), person, json.dumps(draft), update_id)
        )

    def create(self, person: int, update_id: int, draft: dict) -> tuple[str, Markup]:
        day, at = dt.date.fromisoformat(draft["date"]), dt.time.fromisoformat(draft["time"])
        starts = dt.datetime.combine(day, at, tzinfo=dt.UTC)
        with self.db.transaction():
            (event_id,) = self.db.execute(
                NEW_EVENT, (person, draft["name"], day, at, starts)
            ).fetchone()
            self.db.execute(NEW_REMINDER, (event_id, day, starts - dt.timedelta(minutes=30)))
            self.db.execute(COUNT_PERSON, (person,))
            self.db.execute(COUNT_DAY, (dt.date.today(),))
            self.db.execute(END, (CONVERSATION, json.dumps([person, person]), person, update_id))
        leads = ("Без напоминания", "За 10 минут", "✓ За 30 минут", "За 1 час", "За 1 день")
        buttons = [
            [Button(label, callback_data=f"rem:{n}:{event_id}")] for n, label in enumerate(leads)
        ]
        buttons.append([Button("🔁 Повторять", callback_data=f"rep:{event_id}")])
        text = (
            f"Событие создано:\nСобытие #{event_id}: {draft['name']}\nКогда: {_day(day)} "
            f"{at:%H:%M}\nДоступ: личное\nОписания нет.\nНапоминание: за 30 минут (по умолчанию)."
        )
        return text, Markup(buttons)

    def listing(self, person: int, update_id: int) -> str:
        one_off, _series = self.db.execute(KINDS, (person,)).fetchone()
        rows = self.db.execute(PAGE, (person,)).fetchall()
        self.db.execute(CLAIM, (update_id,))
        lines = [
            f"#{pk} {_day(day)} {at:%H:%M} {name}{' 🌐' if public else ''}"
            for pk, name, day, at, public in rows
        ]
        return f"Ваши события ({one_off}):\n" + "\n".join(lines)

    def card(self, person: int, update_id: int, event_id: int) -> tuple[str, Markup | None]:
        row = self.db.execute(ONE, (person, event_id)).fetchone()
        self.db.execute(CLAIM, (update_id,))
        if row is None:
            return f"Событие {event_id} не найдено.", None
        pk, name, day, at, details, public, _zone = row
        text = (
            f"Событие #{pk}: {name}\nКогда: {_day(day)} {at:%H:%M}\n"
            f"Доступ: {'публичное' if public else 'личное'}\n{details or 'Описания нет.'}"
        )
        markup = Markup(
            [
                [Button("✏️ Изменить", callback_data=f"edit:{pk}")],
                [Button("🗑 Удалить", callback_data=f"del:{pk}")],
                [Button("🌐 Сделать публичным", callback_data=f"share:public:{pk}")],
            ]
        )
        return text, markup

    async def answer(self, update: Update, context) -> None:
        message, person, update_id = update.message, update.effective_user.id, update.update_id
        text = message.text
        draft = self.drafts.get(person)
        markup = None
        if text == "/create_event":
            self.drafts[person] = {}
            self.step(person, update_id, "WAIT_NAME", {"question": "name"})
            reply, markup = "Как назовём событие? (до 200 символов)", _cancel()
        elif text == "/display_events":
            reply = self.listing(person, update_id)
        elif text.startswith("/read_event "):
            reply, markup = self.card(person, update_id, int(text.split()[1]))
        elif draft is not None and "name" not in draft:
            draft["name"] = text
            self.step(person, update_id, "WAIT_DATE", draft)
            reply = (
                "Дата события? Выберите день в календаре или напишите: «завтра», «в пятницу»,"
                " «25 декабря», «завтра в 15:00», «через 2 часа», 2026-12-31 или 31.12.2026."
            )
            markup = _month(dt.date.today())
        elif draft is not None and "date" not in draft:
            draft["date"] = text
            self.step(person, update_id, "WAIT_TIME", draft)
            day = dt.date.fromisoformat(text)
            reply = f"Дата: {_day(day)}.\n\nВремя начала? Например 18:30 или «в 9:00»."
            markup = _cancel()
        elif draft is not None and "time" not in draft:
            draft["time"] = text
            self.step(person, update_id, "WAIT_DETAILS", draft)
            reply = (
                "Описание события (до 1000 символов). Если описание не нужно, нажмите"
                " «Пропустить» или отправьте «-»."
            )
            markup = Markup(
                [
                    [
                        Button("Пропустить", callback_data="skip"),
                        Button("Отмена", callback_data="cancel"),
                    ]
                ]
            )
        elif draft is not None:
            reply, markup = self.create(person, update_id, self.drafts.pop(person))
        else:
            self.db.execute(CLAIM, (update_id,))
            reply = "Команды: /create_event, /display_events, /read_event N"
        await message.reply_text(reply, reply_markup=markup)


def main() -> None:
    eventloop.install()
    bare = Bare(os.environ["DATABASE_URL"])
    request, get_updates_request = bot_requests()
    bot = CalendarBot(
        token=os.environ["TELEGRAM_BOT_TOKEN"],
        base_url=settings.TELEGRAM_API_BASE_URL,
        request=request,
        get_updates_request=get_updates_request,
    )
    application = (
        ApplicationBuilder().bot(bot).concurrent_updates(PerUserUpdateProcessor(64)).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, bare.answer))
    application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)


if __name__ == "__main__":
    main()
