"""Inline keyboards. Callback data stays short and well under Telegram's 64-byte limit.

Labels are rendered to plain strings when a keyboard is built (in the update's language):
dialogs keep their keyboard in the persisted user_data, which must be JSON.
"""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from calendarapp.bot import texts
from calendarapp.i18n import LANGUAGE_NAMES


class BuiltOnce(InlineKeyboardMarkup):
    """A keyboard built once and reused (the month calendar: ~45 buttons, cached per day,
    month and language). Its dict is made once too: python-telegram-bot makes it for every
    request it goes in, and a dialog step that asks with it makes it again to remember it
    (dialog.remember_markup): twice 0.4 ms of CPU for every date question."""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict:
        if not recursive:
            return super().to_dict(recursive=False)
        try:
            made = self._as_dict
        except AttributeError:
            made = super().to_dict()
            object.__setattr__(self, "_as_dict", made)  # frozen for everyone else
        return dict(made)  # the caller may change its top level; the rows are never changed


def button(label, **kwargs) -> InlineKeyboardButton:
    return InlineKeyboardButton(str(label), **kwargs)


CB_CANCEL = "cancel"
CB_SKIP = "skip"
# Confirmations name their event (del:yes:<id>): a button on an older question must not
# act on the event of whatever dialog is open now. The visibility buttons (share:public:<id>)
# are not dialog state: they act on the event they name, for its owner only.
CB_DELETE_YES = "del:yes"
CB_SHARE_PUBLIC = "share:public"
CB_SHARE_PRIVATE = "share:private"
CB_VISIBILITY = r"^share:(public|private):(\d{1,18})$"
CB_PAGE_PREFIX = "page:"  # page:<list kind>:<argument>:<page number>


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.BTN_CANCEL, callback_data=CB_CANCEL)]])


def skip_or_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BTN_SKIP, callback_data=CB_SKIP),
                button(texts.BTN_CANCEL, callback_data=CB_CANCEL),
            ]
        ]
    )


def for_event(action: str, event_id: int) -> str:
    return f"{action}:{event_id}"


def event_of(data: str) -> int | None:
    """The event id a confirmation button names (None: not one of ours)."""
    tail = data.rsplit(":", 1)[-1]
    return int(tail) if tail.isdecimal() and len(tail) <= 19 else None


def confirm_delete(event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BTN_CONFIRM_DELETE, callback_data=for_event(CB_DELETE_YES, event_id)),
                button(texts.BTN_CANCEL, callback_data=CB_CANCEL),
            ]
        ]
    )


def visibility(event_id: int, is_public: bool) -> InlineKeyboardMarkup:
    """The one button under a published (or private again) event: the way back."""
    toggle = (
        button(texts.BTN_MAKE_PRIVATE, callback_data=for_event(CB_SHARE_PRIVATE, event_id))
        if is_public
        else button(texts.BTN_MAKE_PUBLIC, callback_data=for_event(CB_SHARE_PUBLIC, event_id))
    )
    return InlineKeyboardMarkup([[toggle]])


def export_links(csv_url: str, json_url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BTN_EXPORT_CSV, url=csv_url),
                button(texts.BTN_EXPORT_JSON, url=json_url),
            ]
        ]
    )


def page_callback(kind: str, arg: int, page: int) -> str:
    return f"{CB_PAGE_PREFIX}{kind}:{arg}:{page}"


# --- language -----------------------------------------------------------------------------
CB_LANGUAGE_PREFIX = "lang:"  # lang:<code>


def languages() -> InlineKeyboardMarkup:
    """One button per language, each labelled with the language's own name."""
    return InlineKeyboardMarkup(
        [
            [
                button(name, callback_data=f"{CB_LANGUAGE_PREFIX}{code}")
                for code, name in LANGUAGE_NAMES.items()
            ]
        ]
    )
