"""Inline keyboards. Callback data stays short and well under Telegram's 64-byte limit."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from . import texts

CB_CANCEL = "cancel"
CB_SKIP = "skip"
CB_DELETE_YES = "del:yes"
CB_SHARE_PUBLIC = "share:public"
CB_SHARE_PRIVATE = "share:private"
CB_PAGE_PREFIX = "page:"  # page:<list kind>:<argument>:<page number>


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BTN_CANCEL, callback_data=CB_CANCEL)]])


def skip_or_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BTN_SKIP, callback_data=CB_SKIP),
                InlineKeyboardButton(texts.BTN_CANCEL, callback_data=CB_CANCEL),
            ]
        ]
    )


def confirm_delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BTN_CONFIRM_DELETE, callback_data=CB_DELETE_YES),
                InlineKeyboardButton(texts.BTN_CANCEL, callback_data=CB_CANCEL),
            ]
        ]
    )


def share_choice(is_public: bool) -> InlineKeyboardMarkup:
    toggle = (
        InlineKeyboardButton(texts.BTN_MAKE_PRIVATE, callback_data=CB_SHARE_PRIVATE)
        if is_public
        else InlineKeyboardButton(texts.BTN_MAKE_PUBLIC, callback_data=CB_SHARE_PUBLIC)
    )
    return InlineKeyboardMarkup(
        [[toggle, InlineKeyboardButton(texts.BTN_CANCEL, callback_data=CB_CANCEL)]]
    )


def export_links(csv_url: str, json_url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BTN_EXPORT_CSV, url=csv_url),
                InlineKeyboardButton(texts.BTN_EXPORT_JSON, url=json_url),
            ]
        ]
    )


def page_callback(kind: str, arg: int, page: int) -> str:
    return f"{CB_PAGE_PREFIX}{kind}:{arg}:{page}"


def pager(kind: str, arg: int, page: int, pages: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(texts.BTN_PREV, callback_data=page_callback(kind, arg, page - 1))
        )
    if page < pages:
        row.append(
            InlineKeyboardButton(texts.BTN_NEXT, callback_data=page_callback(kind, arg, page + 1))
        )
    return row
