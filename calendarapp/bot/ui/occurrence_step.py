"""The "which occurrence, and how much of the series?" steps of /edit_event and
/delete_event, written once:

- the next occurrences as buttons (`occ:<yyyymmdd>:<id>`), a typed date, or the whole series
  at once (`occ:all:<id>`);
- then «Только это / Это и следующие / Все» (`scope:<scope>:<yyyymmdd>:<id>`).

Buttons name their event and day, and a press whose event is not the open dialog's is
"expired", as with the other dialog buttons. The dialog gets `on_scope(update, context,
event_id, day, scope)` and returns what it returns; the step's two states are its own:

    step = occurrence_step(texts.ASK_OCCURRENCE_TO_EDIT, texts.ASK_SCOPE_TO_EDIT,
                           texts.BTN_ALL_OCCURRENCES, chosen)
    ... {EDIT_ID: ..., **step.states}
"""

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.profiles import owner_of
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.bot.ui.formatting import date_text
from calendarapp.services import events as event_services
from calendarapp.services.recurrence import check_occurrence, next_occurrences
from calendarapp.services.recurrence_words import describe
from calendarapp.services.series import Scope
from calendarapp.timezones import user_now

CB_OCCURRENCE = "occ"
CB_SCOPE = "scope"
SHOWN = 6  # occurrences offered as buttons; any other is typed
WHICH, SCOPE = "WAIT_OCCURRENCE", "WAIT_SCOPE"
OnScope = Callable[[Update, ContextTypes.DEFAULT_TYPE, int, dt.date, Scope], Awaitable]


@dataclass(frozen=True)
class OccurrenceStep:
    ask: Callable  # (update, context, event) -> the "which occurrence?" state
    states: dict[str, list[BaseHandler]]  # the dialog's two states of this step


def which_markup(event, days: list[dt.date], all_label) -> InlineKeyboardMarkup:
    """The next occurrences as buttons and one for the whole series (also /invite's)."""
    dates = [
        keyboards.button(date_text(day), callback_data=f"{CB_OCCURRENCE}:{day:%Y%m%d}:{event.pk}")
        for day in days
    ]
    rows = [dates[index : index + 3] for index in range(0, len(dates), 3)]
    rows.append(
        [
            keyboards.button(all_label, callback_data=f"{CB_OCCURRENCE}:all:{event.pk}"),
            keyboards.button(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL),
        ]
    )
    return InlineKeyboardMarkup(rows)


def upcoming_days(event) -> list[dt.date]:
    """The days of the series' next SHOWN occurrences on the owner's clock (the owner is
    loaded with the event)."""
    now = user_now(event.owner).replace(tzinfo=None)
    upcoming = next_occurrences(
        rule=event.rrule, date=event.date, time=event.time, exdates=event.exdates,
        after=now, count=SHOWN,
    )  # fmt: skip
    return [moment.date() for moment in upcoming]


def _scope_markup(event_id: int, day: dt.date) -> InlineKeyboardMarkup:
    def scope(label, value: Scope):
        return keyboards.button(label, callback_data=f"{CB_SCOPE}:{value}:{day:%Y%m%d}:{event_id}")

    return InlineKeyboardMarkup(
        [
            [
                scope(texts.BTN_SCOPE_ONE, Scope.ONE),
                scope(texts.BTN_SCOPE_FOLLOWING, Scope.FOLLOWING),
            ],
            [
                scope(texts.BTN_SCOPE_ALL, Scope.ALL),
                keyboards.button(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL),
            ],
        ]
    )


def occurrence_day(text: str) -> dt.date | None:
    """A button's yyyymmdd, or None when forged."""
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:  # forged: no such day
        return None


def occurrence_step(question, scope_question, all_label, on_scope: OnScope) -> OccurrenceStep:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, event, note: str = ""):
        draft = dialog.dialog_draft(context)
        draft["event_id"], draft["first"] = event.pk, event.date.isoformat()
        rule = describe(event.rrule, start=event.date, time=event.time)
        text = question.format(id=event.pk, name=event.name, rule=rule)
        markup = which_markup(event, upcoming_days(event), all_label)
        await dialog.ask(update, context, f"{text}\n\n{note}" if note else text, markup)
        return WHICH

    async def _ask_scope(update, context, event_id: int, day: dt.date):
        dialog.dialog_draft(context)["day"] = day.isoformat()
        question_text = scope_question.format(date=date_text(day))
        await dialog.ask(update, context, question_text, _scope_markup(event_id, day))
        return SCOPE

    def _expired(update, context, event_id: int) -> bool:
        return event_id != dialog.dialog_draft(context).get("event_id")

    @dialog.stops
    async def occurrence_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        query = update.callback_query
        day, event_id = occurrence_day(context.match.group(1)), int(context.match.group(2))
        if day is None or _expired(update, context, event_id):
            await query.answer(texts.BUTTON_EXPIRED)  # an older question's button, or forged
            return None
        return await _ask_scope(update, context, event_id, day)

    @dialog.stops
    async def all_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        event_id = int(context.match.group(1))
        if _expired(update, context, event_id):
            await update.callback_query.answer(texts.BUTTON_EXPIRED)
            return None
        first = dt.date.fromisoformat(dialog.dialog_draft(context)["first"])
        return await on_scope(update, context, event_id, first, Scope.ALL)

    @dialog.step
    async def occurrence_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        event_id = dialog.dialog_draft(context)["event_id"]
        event = await dialog.load_own_event(update, str(event_id))
        when = await dialog.db(event_services.parse_event_when)(
            owner=owner_of(update), text=update.message.text
        )
        check_occurrence(event=event, day=when.date)
        return await _ask_scope(update, context, event_id, when.date)

    @dialog.stops
    async def scope_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        scope, day = Scope(context.match.group(1)), occurrence_day(context.match.group(2))
        event_id = int(context.match.group(3))
        if day is None or _expired(update, context, event_id):
            await update.callback_query.answer(texts.BUTTON_EXPIRED)
            return None
        return await on_scope(update, context, event_id, day, scope)

    @dialog.stops
    async def scope_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
        await dialog.ask_again(update, context, texts.SCOPE_EXPECTED)

    scopes = "|".join(Scope)
    return OccurrenceStep(
        ask=ask,
        states={
            WHICH: [
                CallbackQueryHandler(
                    occurrence_pressed, pattern=rf"^{CB_OCCURRENCE}:(\d{{8}}):(\d{{1,18}})$"
                ),
                CallbackQueryHandler(all_pressed, pattern=rf"^{CB_OCCURRENCE}:all:(\d{{1,18}})$"),
                MessageHandler(dialog.TEXT, occurrence_typed),
            ],
            SCOPE: [
                CallbackQueryHandler(
                    scope_pressed, pattern=rf"^{CB_SCOPE}:({scopes}):(\d{{8}}):(\d{{1,18}})$"
                ),
                MessageHandler(dialog.TEXT, scope_typed),
            ],
        },
    )
