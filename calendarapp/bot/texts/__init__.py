"""Every word the bot says to people, in Russian, marked for translation.

Handlers never hold literal texts: they pick them here, so wording changes in one place.
Each text is `gettext_lazy` (`_`): Russian is the source language (the msgid), and the text
turns into the language active for the update (see calendarapp/i18n.py) only when it is
used (`str()`, `.format()`, or sent: the bot converts lazy texts it is given). A new text:
wrap it in `_()` and run `make messages` (docs/architecture.md, "Languages").
"""

# One namespace (`texts.ASK_NAME`) over modules grouped by feature.
from calendarapp.bot.texts.cards import *  # noqa: F403
from calendarapp.bot.texts.common import *  # noqa: F403
from calendarapp.bot.texts.console import *  # noqa: F403
from calendarapp.bot.texts.errors import *  # noqa: F403
from calendarapp.bot.texts.events import *  # noqa: F403
from calendarapp.bot.texts.exports import *  # noqa: F403
from calendarapp.bot.texts.imports import *  # noqa: F403
from calendarapp.bot.texts.meetings import *  # noqa: F403
from calendarapp.bot.texts.preferences import *  # noqa: F403
from calendarapp.bot.texts.reminders import *  # noqa: F403
from calendarapp.bot.texts.series import *  # noqa: F403
from calendarapp.bot.texts.sharing import *  # noqa: F403
