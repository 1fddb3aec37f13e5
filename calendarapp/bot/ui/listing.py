"""Paginated event lists. A page holds at most PAGE_SIZE events, so it always stays far
below Telegram's 4096-character limit (names are at most 200 characters)."""

from django.conf import settings
from django.utils import timezone
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.runtime.profiles import current_profile, sender_profile
from calendarapp.bot.ui import keyboards
from calendarapp.bot.ui.dialog import db, deliver
from calendarapp.bot.ui.formatting import calendar_line, event_line
from calendarapp.bot.ui.pager import Page, titled
from calendarapp.parsing import MAX_TELEGRAM_ID
from calendarapp.selectors.occurrences import calendar_with_occurrences, own_listing
from calendarapp.selectors.users import get_user
from calendarapp.services.export_tokens import issue_export_token
from calendarapp.timezones import user_now

PAGE_SIZE = 10
MINE, MY_PUBLIC, PUBLIC_OF, CALENDAR = "m", "p", "o", "c"
KINDS = {MINE, MY_PUBLIC, PUBLIC_OF, CALENDAR}


def _today(tg_id: int, known=None):
    """The list's owner's day: a series shows its occurrences from then on. `known`: the
    viewer's profile as the update already read it (no query for one's own lists)."""
    owner = known if known is not None and known.tg_id == tg_id else get_user(tg_id)
    return (user_now(owner) if owner else timezone.now()).date()


def _page(
    kind: str, viewer_id: int, arg: int, page: int, viewer=None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Build one page: a count and a slice, two queries (three for another user's list)."""
    if kind == PUBLIC_OF:
        owner = get_user(arg)
        who = owner.display_name if owner else str(arg)
        queryset = own_listing(owner_tg_id=arg, today=_today(arg), public_only=True)
        title, empty = (
            texts.LIST_TITLE_PUBLIC_OF.format(user=who),
            texts.NO_PUBLIC_OF.format(user=who),
        )
    elif kind == MY_PUBLIC:
        queryset = own_listing(
            owner_tg_id=viewer_id, today=_today(viewer_id, viewer), public_only=True
        )
        title, empty = texts.LIST_TITLE_PUBLIC_MINE, texts.NO_PUBLIC_EVENTS
    elif kind == CALENDAR:  # own events and accepted meetings
        queryset = calendar_with_occurrences(owner_tg_id=viewer_id, today=_today(viewer_id, viewer))
        title, empty = texts.LIST_TITLE_CALENDAR, texts.NO_EVENTS
    else:
        queryset = own_listing(owner_tg_id=viewer_id, today=_today(viewer_id, viewer))
        title, empty = texts.LIST_TITLE_MINE, texts.NO_EVENTS
    total = queryset.count()
    shown = Page.of(total, PAGE_SIZE, page)
    rows = []
    if total:
        line = calendar_line if kind == CALENDAR else event_line
        text = titled(title, shown, [line(item) for item in shown.items(queryset)])
        pager = shown.turn_row(
            lambda number: keyboards.page_callback(kind, arg, number),
            back=texts.BTN_PREV,
            forward=texts.BTN_NEXT,
        )
        if pager:
            rows.append(pager)
    else:
        text = empty
    if kind == CALENDAR:
        token = issue_export_token(viewer_id)
        minutes = settings.EXPORT_TOKEN_MAX_AGE // 60
        text += "\n\n" + texts.EXPORT_LINKS.format(minutes=minutes)
        rows += keyboards.export_links(token.url("csv"), token.url("json")).inline_keyboard
    return text, InlineKeyboardMarkup(rows) if rows else None


async def send_page(update: Update, kind: str, arg: int = 0, page: int = 1) -> None:
    viewer = current_profile(update)
    text, markup = await db(_page)(kind, update.effective_user.id, arg, page, viewer)
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(text, reply_markup=markup))


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    try:
        _prefix, kind, arg, page = query.data.split(":")
        arg, page = int(arg), int(page)
    except ValueError:
        kind, arg, page = "", -1, -1
    # Buttons we made carry a list kind, a Telegram id (or 0) and a page; anything else was
    # forged or mangled, and a huge number would overflow the database's integers.
    if kind not in KINDS or not 0 <= arg <= MAX_TELEGRAM_ID or not 0 < page <= 10**6:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    viewer = await sender_profile(update)
    if viewer is None:
        await query.answer(texts.NEED_REGISTER, show_alert=True)
        return
    text, markup = await db(_page)(kind, update.effective_user.id, arg, page, viewer)
    await query.answer()
    if text != (query.message.text if query.message else None):
        await query.edit_message_text(text, reply_markup=markup)


def page_handler() -> CallbackQueryHandler:
    return CallbackQueryHandler(turn_page, pattern=f"^{keyboards.CB_PAGE_PREFIX}")
