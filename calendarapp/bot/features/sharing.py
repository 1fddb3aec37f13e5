"""Public events: /share_event (public at once, a button makes it private again), /my_public,
/public_of."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler

from calendarapp.bot import texts
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards, listing
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError
from calendarapp.parsing import USERNAME_TYPED_MAX_LENGTH, parse_telegram_user
from calendarapp.selectors.events import get_own_event
from calendarapp.selectors.users import find_user
from calendarapp.services import events as event_services
from calendarapp.services.events import storable

SHARE_ID = "SHARE_WAIT_EVENT_ID"
CB_VISIBILITY = keyboards.CB_VISIBILITY
WAIT_TG_ID = "WAIT_TG_ID"


async def _publish(update, context, event) -> str:
    """The chosen event becomes public at once; one that already is gets the way back."""
    dialog.forget(context, "draft")
    if event.is_public:
        text = texts.ALREADY_PUBLIC.format(id=event.pk, name=event.name)
    else:
        event = await dialog.db(event_services.set_event_visibility)(
            owner_tg_id=update.effective_user.id, event_id=event.pk, is_public=True
        )
        text = texts.NOW_PUBLIC.format(id=event.pk)
    await dialog.send(update, text, keyboards.visibility(event.pk, event.is_public))
    return dialog.END


def _switch_visibility(owner_tg_id: int, event_id: int, *, is_public: bool):
    """The event with its new visibility, or None if it already had it (a stale button)."""
    event = get_own_event(owner_tg_id=owner_tg_id, event_id=event_id)
    if event.is_public == is_public:
        return None
    return event_services.set_event_visibility(
        owner_tg_id=owner_tg_id, event_id=event_id, is_public=is_public
    )


@dialog.stops
async def visibility_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """«Сделать личным» / «Сделать публичным» under an event, whatever dialog is open."""
    query = update.callback_query
    is_public = context.match.group(1) == "public"
    try:
        event = await dialog.db(_switch_visibility)(
            update.effective_user.id, int(context.match.group(2)), is_public=is_public
        )
    except DomainError as error:  # missing, or someone else's event
        await query.answer(texts.error_text(error))
        return
    if event is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    text = (texts.NOW_PUBLIC if event.is_public else texts.NOW_PRIVATE).format(id=event.pk)
    await dialog.send(update, text, keyboards.visibility(event.pk, event.is_public))


async def my_public(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await dialog.registered_user(update) is None:
        return
    await listing.send_page(update, listing.MY_PUBLIC)


def _find_user(text: str):
    return find_user(parse_telegram_user(text))


async def _show_public_of(update, context, text: str):
    try:
        owner = await dialog.db(_find_user)(text)
    except DomainError as error:
        return await dialog.reject(update, context, error)
    if owner is None:
        return await dialog.ask_again(
            update,
            context,
            texts.USER_NOT_FOUND.format(who=storable(text.strip()[:USERNAME_TYPED_MAX_LENGTH])),
        )
    dialog.forget(context)
    await listing.send_page(update, listing.PUBLIC_OF, owner.tg_id)
    return dialog.END


async def public_of_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if not await dialog.begin(update, context):
        return dialog.END
    args = dialog.command_args(context)
    if not args:
        await dialog.ask(update, context, texts.ASK_WHOSE, keyboards.cancel())
        return WAIT_TG_ID
    dialog.remember(context, texts.ASK_WHOSE, keyboards.cancel())
    state = await _show_public_of(update, context, args[0])
    return WAIT_TG_ID if state is None else state


@dialog.stops
async def public_of_answer(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _show_public_of(update, context, update.message.text)


def handlers():
    step = pick_event_step("share", texts.PICK_TO_SHARE, _publish, state=SHARE_ID)
    share = step.command_dialog("share_event")
    public_of = dialog.command_dialog(
        "public_of",
        public_of_start,
        {WAIT_TG_ID: [MessageHandler(dialog.TEXT, public_of_answer)]},
    )
    return [
        (
            Group.EVENT_BUTTONS,
            CallbackQueryHandler(visibility_pressed, pattern=keyboards.CB_VISIBILITY),
        ),
        (Group.SHARE_EVENT, share),
        (Group.PUBLIC_OF, public_of),
        (Group.COMMANDS, CommandHandler("my_public", my_public)),
    ]
