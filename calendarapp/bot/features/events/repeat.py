"""«🔁 Повторять» under an event's confirmation and card: make it a series.

The button opens a short choice (`rep:<id>`): the common rules as buttons (`rep:<id>:<rule>`,
applied at once, whatever dialog is open, like the reminder buttons) and «✏️ Написать своё»,
which asks for a phrase («каждый вторник до 1 марта») in a one-question dialog. Nothing
here is a step of /create_event: an event never has to repeat. Each button names its event
and the service checks that the presser owns it.
"""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.bot.ui.formatting import repeats_text
from calendarapp.exceptions import DomainError
from calendarapp.selectors.events import get_own_event
from calendarapp.selectors.occurrences import overrides_of
from calendarapp.services import events as event_services
from calendarapp.timezones import user_now

CB_REPEAT = "rep"
TYPE = "type"
CHOICES = {
    "d": (texts.BTN_REPEAT_DAILY, "FREQ=DAILY"),
    "wd": (texts.BTN_REPEAT_WEEKDAYS, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    "w": (texts.BTN_REPEAT_WEEKLY, "FREQ=WEEKLY"),
    "2w": (texts.BTN_REPEAT_FORTNIGHTLY, "FREQ=WEEKLY;INTERVAL=2"),
    "m": (texts.BTN_REPEAT_MONTHLY, "FREQ=MONTHLY"),
    "y": (texts.BTN_REPEAT_YEARLY, "FREQ=YEARLY"),
    "off": (texts.BTN_REPEAT_OFF, ""),
}
WAIT_RULE = "WAIT_REPEAT_RULE"


def repeat_button(event_id: int) -> InlineKeyboardButton:
    return keyboards.button(texts.BTN_REPEAT, callback_data=f"{CB_REPEAT}:{event_id}")


def with_repeat_button(markup: InlineKeyboardMarkup | None, event_id: int) -> InlineKeyboardMarkup:
    rows = list(markup.inline_keyboard) if markup else []
    return InlineKeyboardMarkup([*rows, [repeat_button(event_id)]])


def _choices(event) -> InlineKeyboardMarkup:
    def pick(code: str) -> InlineKeyboardButton:
        label, _rule = CHOICES[code]
        return keyboards.button(label, callback_data=f"{CB_REPEAT}:{event.pk}:{code}")

    rows = [[pick("d"), pick("wd")], [pick("w"), pick("2w")], [pick("m"), pick("y")]]
    if event.rrule:
        rows.append([pick("off")])
    typed = keyboards.button(texts.BTN_REPEAT_TYPE, callback_data=f"{CB_REPEAT}:{event.pk}:{TYPE}")
    rows.append([typed])
    return InlineKeyboardMarkup(rows)


def _done_text(event) -> str:
    if not event.rrule:
        return texts.REPEAT_OFF.format(id=event.pk)
    now = user_now(event.owner).replace(tzinfo=None)
    repeats = repeats_text(event, now=now, overrides=overrides_of(event.pk))
    return texts.REPEAT_SET.format(id=event.pk, repeats=repeats)


@dialog.stops
async def repeat_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    try:
        event = await dialog.db(get_own_event)(
            owner_tg_id=update.effective_user.id, event_id=int(context.match.group(1))
        )
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await query.answer()
    question, markup = texts.ASK_REPEAT.format(name=event.name), _choices(event)
    chat = update.effective_chat
    await dialog.deliver(lambda: chat.send_message(question, reply_markup=markup))


@dialog.stops
async def rule_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    choice = CHOICES[context.match.group(2)]
    try:
        event = await dialog.db(event_services.set_event_rule)(
            owner_tg_id=update.effective_user.id,
            event_id=int(context.match.group(1)),
            rule=choice[1],
        )
    except DomainError as error:
        await query.answer(texts.error_text(error), show_alert=True)
        return
    await dialog.send(update, await dialog.db(_done_text)(event))


@dialog.stops
async def ask_rule(update: Update, context: ContextTypes.DEFAULT_TYPE):
    event_id = int(context.match.group(1))
    try:
        await dialog.db(get_own_event)(owner_tg_id=update.effective_user.id, event_id=event_id)
    except DomainError as error:
        await update.callback_query.answer(texts.error_text(error), show_alert=True)
        return dialog.END
    dialog.dialog_draft(context)["event_id"] = event_id
    await dialog.ask(update, context, texts.ASK_REPEAT_RULE.format(id=event_id), keyboards.cancel())
    return WAIT_RULE


@dialog.step
async def rule_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    event_id = dialog.dialog_draft(context)["event_id"]
    try:
        event = await dialog.db(event_services.repeat_event_by_phrase)(
            owner_tg_id=update.effective_user.id, event_id=event_id, text=update.message.text
        )
    except DomainError as error:
        if error.code != "event_not_found":
            raise  # asked again, with the reason
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    dialog.forget(context, "draft")
    await dialog.send(update, await dialog.db(_done_text)(event))
    return dialog.END


def handlers():
    typed = dialog.conversation(
        "repeat_event",
        [CallbackQueryHandler(ask_rule, pattern=rf"^{CB_REPEAT}:(\d{{1,18}}):{TYPE}$")],
        {WAIT_RULE: [MessageHandler(dialog.TEXT, rule_typed)]},
    )
    return [
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(repeat_pressed, pattern=rf"^{CB_REPEAT}:(\d{{1,18}})$"),
        ),
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(
                rule_chosen, pattern=rf"^{CB_REPEAT}:(\d{{1,18}}):({'|'.join(CHOICES)})$"
            ),
        ),
        (Group.REPEAT_EVENT, typed),
    ]
