"""Every handler group of the bot, assigned here and nowhere else.

python-telegram-bot offers an update to each group in ascending order and runs at most one
handler per group. So:
- the gate comes first, and buttons that must work in the middle of any dialog (answers to
  invitations, the /meetings list, an event's reminder and visibility) before the dialogs;
- each dialog (`ConversationHandler`) has a group of its own. Two dialogs in one group trap
  each other: the first one open takes every later message, and a command that starts the
  other one is answered while the first stays open. `build_application` refuses that
  (`check_dialog_groups`);
- simple commands and the catch-alls share the last group.
"""

from collections.abc import Iterable
from enum import IntEnum

from telegram.ext import BaseHandler, ConversationHandler


class Group(IntEnum):
    GATE = -100  # private chats only, no edited messages, block notices
    MEETING_BUTTONS = -10  # a meeting's buttons work whatever dialog is open
    EVENT_BUTTONS = -9  # so do an event's reminder and visibility buttons
    IMPORT = -8  # an .ics document and the import preview's buttons, in any dialog too
    CREATE_EVENT = 1
    EDIT_EVENT = 2
    DELETE_EVENT = 3
    SHARE_EVENT = 4
    PUBLIC_OF = 5
    INVITE = 6
    READ_EVENT = 7
    TIMEZONE = 8
    REPEAT_EVENT = 9  # «✏️ Написать своё» under «🔁 Повторять»
    COMMANDS = 50  # simple commands, then the catch-alls (bot/features/fallback.py)


class DialogGroupClash(RuntimeError):
    pass


def check_dialog_groups(handlers: Iterable[tuple[int, BaseHandler]]) -> None:
    """Fail loudly when two dialogs share a group (or a dialog sits in COMMANDS)."""
    owners: dict[int, str] = {}
    for group, handler in handlers:
        if not isinstance(handler, ConversationHandler):
            continue
        name = handler.name or repr(handler)
        if group == Group.COMMANDS:
            raise DialogGroupClash(f"dialog {name!r} in the commands group")
        if group in owners:
            raise DialogGroupClash(
                f"dialogs {owners[group]!r} and {name!r} share handler group {group}"
            )
        owners[group] = name
