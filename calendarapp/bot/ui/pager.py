"""Paging, written once: which page is shown, which items are on it, and its ◀ ▶ row.

Used by the event lists (ui/listing.py), the event picker (ui/picker.py) and /meetings.
"""

from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton

from calendarapp.bot import texts


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, clamped to the pages there are
    pages: int  # at least 1, also for an empty list
    size: int

    @classmethod
    def of(cls, total: int, size: int, requested: int) -> "Page":
        pages = max(1, -(-total // size))
        return cls(number=min(max(requested, 1), pages), pages=pages, size=size)

    def items(self, sequence):
        """This page's slice of a list or a queryset (one LIMIT/OFFSET query)."""
        start = (self.number - 1) * self.size
        return sequence[start : start + self.size]

    def turn_row(
        self, callback: Callable[[int], str], *, back, forward, counter=None
    ) -> list[InlineKeyboardButton]:
        """The page-turn buttons ([] on a single page). With a `counter` label ("{page}/
        {pages}") all three always show, ◀ and ▶ staying put at the ends; without one, only
        the directions that lead somewhere."""
        if self.pages == 1:
            return []

        def turn(label, page: int) -> InlineKeyboardButton:
            return InlineKeyboardButton(str(label), callback_data=callback(page))

        if counter is not None:
            return [
                turn(back, max(self.number - 1, 1)),
                turn(str(counter).format(page=self.number, pages=self.pages), self.number),
                turn(forward, min(self.number + 1, self.pages)),
            ]
        row = []
        if self.number > 1:
            row.append(turn(back, self.number - 1))
        if self.number < self.pages:
            row.append(turn(forward, self.number + 1))
        return row


def titled(title, shown: Page, lines: list[str]) -> str:
    """A list's text: its title, "(стр. 2 из 3)" when there are more pages, the lines."""
    more = shown.pages > 1
    suffix = texts.PAGE_SUFFIX.format(page=shown.number, pages=shown.pages) if more else ""
    return f"{title}{suffix}:\n\n" + "\n".join(lines)
