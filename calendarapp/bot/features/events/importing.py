"""Importing a calendar: an .ics document sent to the bot, or `/import <https URL>`.

The handler only acknowledges («Читаю файл…») and starts a task: the download (getFile and
the file URL, or services.ics_fetch in a thread) must not run inside the update, which holds
the process's database connection until it commits (bot/runtime/once.py). The task keeps
the file as the person's ImportDraft and queues the preview through the outbox, which sends
it with «Импортировать» / «Отмена» (`imp:go:<token>` / `imp:no:<token>`). The buttons work
whatever dialog is open, after a restart too (the file is in the database), and only for
the newest preview (the token).
"""

import asyncio
import datetime as dt
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.outbox.notifications import Notification, renderer
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.exceptions import DomainError, ValidationFailed
from calendarapp.selectors.imports import current_draft_token
from calendarapp.services import imports
from calendarapp.services.ics_fetch import fetch_ics, parse_url
from calendarapp.services.ics_read import check_size

logger = logging.getLogger("calendarapp.bot")

CB_IMPORT = "imp"
ICS_DOCUMENT = filters.Document.FileExtension("ics") | filters.Document.MimeType("text/calendar")
_NOTES = {
    "all_day": texts.IMPORT_NOTE_ALL_DAY,
    "shortened": texts.IMPORT_NOTE_SHORTENED,
    "override": texts.IMPORT_NOTE_OVERRIDE,
    "other_zone": texts.IMPORT_NOTE_OTHER_ZONE,
    "rdate": texts.IMPORT_NOTE_RDATE,
    "alarm_adjusted": texts.IMPORT_NOTE_ALARM_ADJUSTED,
    "alarm_merged": texts.IMPORT_NOTE_ALARM_MERGED,
    "alarm_absolute": texts.IMPORT_NOTE_ALARM_ABSOLUTE,
    "alarm_after_start": texts.IMPORT_NOTE_ALARM_AFTER_START,
    "alarm_unsupported": texts.IMPORT_NOTE_ALARM_UNSUPPORTED,
}


def _day(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime(texts.DATE_FORMAT) if iso else "—"


def _skipped_lines(summary: dict) -> list[str]:
    skipped = summary.get("skipped") or {}
    if not skipped:
        return []
    lines = [texts.IMPORT_SKIPPED.format(count=sum(skipped.values()))]
    for code, count in skipped.items():
        reason = texts.IMPORT_SKIP_REASONS.get(code, texts.IMPORT_SKIP_OTHER)
        line = texts.IMPORT_SKIPPED_LINE.format(reason=reason, count=count)
        names = [name for name in summary.get("skipped_examples", {}).get(code, []) if name]
        lines.append(f"{line} ({', '.join(f'«{name}»' for name in names)})" if names else line)
    return lines


def preview_text(summary: dict, source: str) -> str:
    total = summary["events"] + summary["series"]
    if total:
        head = texts.IMPORT_PREVIEW.format(
            source=source,
            events=summary["events"],
            series=summary["series"],
            first=_day(summary["first_date"]),
            last=_day(summary["last_date"]),
            new=summary["new"],
            existing=summary["existing"],
        )
    else:
        head = texts.IMPORT_NOTHING.format(source=source)
    notes = [
        str(template).format(count=summary["notes"][code])
        for code, template in _NOTES.items()
        if summary.get("notes", {}).get(code)
    ]
    parts = [head, *_skipped_lines(summary), *notes]
    if total:
        parts.append(str(texts.IMPORT_CONFIRM))
    return "\n\n".join(["\n".join(parts[:1]), "\n".join(parts[1:])]).strip()


def _buttons(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(texts.BTN_IMPORT, callback_data=f"{CB_IMPORT}:go:{token}"),
                keyboards.button(texts.BTN_CANCEL, callback_data=f"{CB_IMPORT}:no:{token}"),
            ]
        ]
    )


@renderer(imports.IMPORT_PREVIEW)
def render_preview(message) -> Notification | None:
    token = message.payload.get("token")
    if not isinstance(token, str) or current_draft_token(owner_tg_id=message.chat_id) != token:
        return None  # imported, cancelled or replaced by a newer file before it went out
    summary, source = message.payload["summary"], str(message.payload.get("source", ""))
    total = summary["events"] + summary["series"]
    return Notification(preview_text(summary, source), _buttons(token) if total else None)


@renderer(imports.IMPORT_FAILED)
def render_failed(message) -> Notification | None:
    params = message.payload.get("params")
    error = DomainError(code=str(message.payload.get("code")), **(params or {}))
    return Notification(
        texts.IMPORT_FAILED.format(
            source=message.payload.get("source", ""), reason=texts.error_text(error)
        )
    )


# --- fetching, outside the update ---------------------------------------------------------


async def _offer(application, owner_tg_id: int, download, source: str) -> None:
    try:
        data = await download()
    except ValidationFailed as error:
        await dialog.db(imports.announce_failure)(
            owner_tg_id=owner_tg_id, error=error, source=source
        )
    else:
        await dialog.db(imports.announce_import)(owner_tg_id=owner_tg_id, data=data, source=source)
    notifications.wake(application)


def _start(context: ContextTypes.DEFAULT_TYPE, owner_tg_id: int, download, source: str) -> None:
    async def run():
        try:
            await _offer(context.application, owner_tg_id, download, source)
        except Exception:
            logger.exception("Import of %r for %s failed", source, owner_tg_id)
            error = ValidationFailed(code="import_error")
            await dialog.db(imports.announce_failure)(
                owner_tg_id=owner_tg_id, error=error, source=source
            )
            notifications.wake(context.application)

    context.application.create_task(run(), name=f"import-{owner_tg_id}")


@dialog.stops
async def document_sent(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if await dialog.registered_user(update) is None:
        return
    document = update.message.document
    source = document.file_name or "calendar.ics"
    try:
        check_size(document.file_size)  # before downloading anything
    except DomainError as error:
        await dialog.send(
            update, texts.IMPORT_FAILED.format(source=source, reason=texts.error_text(error))
        )
        return
    bot = context.bot

    async def download() -> bytes:
        try:
            file = await bot.get_file(document.file_id)
            check_size(file.file_size)
            return bytes(await file.download_as_bytearray())
        except TelegramError:
            raise ValidationFailed(
                "Could not get the file from Telegram.", code="import_telegram_file"
            ) from None

    await dialog.send(update, texts.IMPORT_READING.format(source=source))
    _start(context, update.effective_user.id, download, source)


async def import_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await dialog.registered_user(update) is None:
        return
    url = dialog.command_tail(update).strip()
    if not url:
        await dialog.send(update, texts.IMPORT_HOWTO)
        return
    try:
        parse_url(url)  # a wrong address is told at once
    except DomainError as error:
        await dialog.send(
            update, texts.IMPORT_FAILED.format(source=url[:100], reason=texts.error_text(error))
        )
        return

    async def download() -> bytes:
        return await asyncio.to_thread(fetch_ics, url)

    await dialog.send(update, texts.IMPORT_FETCHING)
    _start(context, update.effective_user.id, download, url)


@dialog.stops
async def import_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    action, token = context.match.group(1), context.match.group(2)
    owner = update.effective_user.id
    try:
        if action == "go":
            summary, _source = await dialog.db(imports.confirm_import)(
                owner_tg_id=owner, token=token
            )
        else:
            await dialog.db(imports.drop_import)(owner_tg_id=owner, token=token)
    except DomainError as error:
        alert = texts.error_text(error)
        await dialog.deliver(lambda: query.answer(alert, show_alert=True))
        await dialog.deliver(dialog.unless_unchanged(lambda: query.edit_message_reply_markup(None)))
        return
    if action == "no":
        await dialog.send(update, texts.IMPORT_CANCELLED)
        return
    done = texts.IMPORT_DONE.format(
        new=summary.new, updated=summary.existing - summary.unchanged, unchanged=summary.unchanged
    )
    await dialog.send(update, done)


def handlers():
    return [
        (Group.IMPORT, MessageHandler(ICS_DOCUMENT, document_sent)),
        (
            Group.IMPORT,
            CallbackQueryHandler(import_pressed, pattern=rf"^{CB_IMPORT}:(go|no):([\w-]{{1,32}})$"),
        ),
        (Group.COMMANDS, CommandHandler("import", import_command)),
    ]
