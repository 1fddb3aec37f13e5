"""What `manage.py chat` shows of a chat, and which button a typed `!key` means.

Each bot message gets a number in its chat (`#3`), kept across edits. Its inline buttons get
short keys, shown in brackets, laid out in the keyboard's own rows:

- a button labelled with a number (a day of the month calendar) is keyed by that number,
  so `!15` presses the 15th;
- every other button by a letter: `[a] Отмена`, pressed with `!a` (or `!Отмена`);
- the month calendar's inert cells (month title, weekdays, past days) get no key.

`!key` presses a button of the newest message that has buttons; `!3.a` one of message #3.
"""

import itertools
import re
import string
from dataclasses import dataclass, field

from calendarapp.bot import texts
from calendarapp.bot.ui.month_calendar import CB_NOOP

from .fake_bot_api import Activity, BotMessage

INDENT = "   "
GRID_CELLS = 5  # a row with this many buttons or more is a grid (the calendar): aligned
_IN_MESSAGE = re.compile(r"^#?(\d+)[.:](.+)$")

Cell = tuple[str | None, dict]  # (key, button); no key for an inert cell


def _letters():
    """a, b, … z, aa, ab, …: as many keys as a keyboard needs."""
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)


def keyed_rows(message: BotMessage) -> list[list[Cell]]:
    """The message's inline keyboard, row by row, each button with its key."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    labels = [button["text"].strip() for row in rows for button in row]
    letters = _letters()
    keyed = []
    for row in rows:
        cells = []
        for button in row:
            label = button["text"].strip()
            if button.get("callback_data") == CB_NOOP:
                key = None
            elif label.isascii() and label.isdecimal() and labels.count(label) == 1:
                key = label
            else:
                key = next(letters)
            cells.append((key, button))
        keyed.append(cells)
    return keyed


def _cell(key: str | None, button: dict) -> str:
    label = button["text"]
    if key is None:
        return label
    if key == label.strip():
        return f"[{key}]"
    target = f" → {button['url']}" if "url" in button else ""
    return f"[{key}] {label}{target}"


def keyboard_lines(message: BotMessage) -> list[str]:
    lines = []
    for row in keyed_rows(message):
        cells = [_cell(key, button) for key, button in row]
        if len(cells) >= GRID_CELLS:
            lines.append(INDENT + "".join(cell.rjust(5) for cell in cells))
        else:
            lines.append(INDENT + "  ".join(cells))
    return lines


@dataclass
class Chat:
    """One user's chat as the console shows it."""

    numbers: dict[int, int] = field(default_factory=dict)  # message_id -> #number
    shown: int = 0  # how many of the chat's activities are printed

    def number(self, message: BotMessage) -> int:
        return self.numbers.setdefault(message.message_id, len(self.numbers) + 1)


def render(activity: Activity, chat: Chat) -> list[str]:
    """The lines a person sees for one thing the bot did."""
    if activity.kind == "answer":
        return [INDENT + texts.CHAT_TOAST.format(text=activity.text)]
    message = activity.message
    marker = texts.CHAT_BOT if activity.kind == "send" else texts.CHAT_BOT_EDITED
    head = f"#{chat.number(message)} {marker}: "
    body = activity.text.replace("\n", "\n" + " " * len(head))
    lines = [head + body, *keyboard_lines(message)]
    keyboard = message.keyboard_buttons()
    if keyboard:
        labels = " | ".join(button["text"] for button in keyboard)
        lines.append(INDENT + texts.CHAT_KEYBOARD.format(buttons=labels))
    return lines


@dataclass(frozen=True)
class Press:
    message: BotMessage
    button: dict


def _numbered(chat: Chat, messages: dict[int, BotMessage]) -> dict[int, BotMessage]:
    ids = {number: message_id for message_id, number in chat.numbers.items()}
    return {number: messages[ids[number]] for number in sorted(ids) if ids[number] in messages}


def _press(message: BotMessage, wanted: str) -> Press | None:
    cells = [cell for row in keyed_rows(message) for cell in row]
    folded = wanted.casefold()
    by_key = [button for key, button in cells if key is not None and key.casefold() == folded]
    by_label = [button for _key, button in cells if button["text"].strip().casefold() == folded]
    found = by_key or by_label
    return Press(message, found[0]) if found else None


def find_button(typed: str, chat: Chat, messages: dict[int, BotMessage]) -> Press | str:
    """The button `!typed` names (`15`, `a`, `Отмена`, `3.a`), or what to tell the person."""
    typed = typed.strip()
    numbered = _numbered(chat, messages)
    match = _IN_MESSAGE.match(typed)
    if match and int(match[1]) in numbered:
        number, wanted = int(match[1]), match[2].strip()
    else:
        with_buttons = [n for n, message in numbered.items() if message.buttons()]
        if not with_buttons:
            if match:
                return texts.CHAT_NO_MESSAGE.format(number=match[1])
            return str(texts.CHAT_NO_BUTTONS)
        number, wanted = with_buttons[-1], typed
    press = _press(numbered[number], wanted)
    if press is not None:
        return press
    if match and int(match[1]) not in numbered:
        return texts.CHAT_NO_MESSAGE.format(number=match[1])
    keys = [key for row in keyed_rows(numbered[number]) for key, _button in row if key]
    listed = ", ".join(f"!{key}" for key in keys) or "—"
    return texts.CHAT_NO_BUTTON.format(key=wanted, number=number, keys=listed)
