"""Public events: /share_event (public or private again), /my_public, /public_of."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import keyboards, listing, picker
from calendarapp.bot.ui.dialog import (
    END,
    TEXT,
    ask,
    ask_again,
    command_args,
    conversation,
    db,
    dialog_draft,
    forget,
    load_own_event,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from calendarapp.exceptions import DomainError
from calendarapp.parsing import USERNAME_TYPED_MAX_LENGTH, parse_telegram_user
from calendarapp.selectors.users import find_user
from calendarapp.services import events as event_services
from calendarapp.services.events import storable

SHARE_ID, SHARE_CHOICE = "SHARE_WAIT_EVENT_ID", "SHARE_WAIT_CHOICE"
WAIT_TG_ID = "WAIT_TG_ID"


async def _offer_choice(update, context, event) -> str:
    dialog_draft(context)["event_id"] = event.pk
    access = texts.ACCESS_PUBLIC if event.is_public else texts.ACCESS_PRIVATE
    question = texts.SHARE_CHOICE.format(id=event.pk, name=event.name, access=access)
    await ask(update, context, question, keyboards.share_choice(event.pk, event.is_public))
    return SHARE_CHOICE


async def share_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context)
    if not args:
        if not await picker.ask_with_picker(update, context, texts.PICK_TO_SHARE, "share"):
            return END
        return SHARE_ID
    remember(context, texts.ASK_EVENT_ID, keyboards.cancel())
    try:
        event = await load_own_event(update, args[0])
    except DomainError as error:
        await reject(update, context, error)
        return SHARE_ID
    return await _offer_choice(update, context, event)


@stops
async def share_id(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event = await load_own_event(update, update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _offer_choice(update, context, event)


@stops
async def share_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE):
    data = update.callback_query.data
    event_id = context.user_data.get("draft", {}).get("event_id")
    if keyboards.event_of(data) != event_id:  # a button of an earlier /share_event
        await update.callback_query.answer(texts.BUTTON_EXPIRED)
        return None
    is_public = data.startswith(keyboards.CB_SHARE_PUBLIC + ":")
    forget(context, "draft")
    try:
        event = await db(event_services.set_event_visibility)(
            owner_tg_id=update.effective_user.id, event_id=event_id, is_public=is_public
        )
    except DomainError as error:
        await send(update, texts.error_text(error))
        return END
    await send(
        update, (texts.NOW_PUBLIC if event.is_public else texts.NOW_PRIVATE).format(id=event.pk)
    )
    return END


@stops
async def share_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await ask_again(update, context, texts.SHARE_CHOICE_EXPECTED)


async def my_public(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    await listing.send_page(update, listing.MY_PUBLIC)


def _find_user(text: str):
    return find_user(parse_telegram_user(text))


async def _show_public_of(update, context, text: str):
    try:
        owner = await db(_find_user)(text)
    except DomainError as error:
        return await reject(update, context, error)
    if owner is None:
        return await ask_again(
            update,
            context,
            texts.USER_NOT_FOUND.format(who=storable(text.strip()[:USERNAME_TYPED_MAX_LENGTH])),
        )
    forget(context)
    await listing.send_page(update, listing.PUBLIC_OF, owner.tg_id)
    return END


async def public_of_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context)
    if not args:
        await ask(update, context, texts.ASK_WHOSE, keyboards.cancel())
        return WAIT_TG_ID
    remember(context, texts.ASK_WHOSE, keyboards.cancel())
    state = await _show_public_of(update, context, args[0])
    return WAIT_TG_ID if state is None else state


@stops
async def public_of_answer(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _show_public_of(update, context, update.message.text)


def handlers():
    share = conversation(
        "share_event",
        [CommandHandler("share_event", share_start)],
        {
            SHARE_ID: [
                *picker.pick_handlers("share", _offer_choice),
                MessageHandler(TEXT, share_id),
            ],
            SHARE_CHOICE: [
                CallbackQueryHandler(share_chosen, pattern=r"^share:(public|private):\d+$"),
                MessageHandler(TEXT, share_typed),
            ],
        },
    )
    public_of = conversation(
        "public_of",
        [CommandHandler("public_of", public_of_start)],
        {WAIT_TG_ID: [MessageHandler(TEXT, public_of_answer)]},
    )
    return [
        (Group.SHARE_EVENT, share),
        (Group.PUBLIC_OF, public_of),
        (Group.COMMANDS, CommandHandler("my_public", my_public)),
    ]
