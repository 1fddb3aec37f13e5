"""Event cards posted in any chat (inline mode) and the answers to them."""

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.errors import ERRORS

CARD = _("📅 {name}\nКогда: {date} {time} ({zone})\n{details}Организатор: {who}\n\n{answers}")
CARD_DETAILS = _("{details}\n")
CARD_GOING = _("✅ Идут: {count}")
CARD_MAYBE = _("🤔 Может быть: {count}")
CARD_NOT_GOING = _("❌ Не идут: {count}")
CARD_MORE = _("и ещё {count}")
CARD_CLOSED = _("🔒 Ответы закрыты.")
BTN_GOING = _("✅ Иду")
BTN_MAYBE = _("🤔 Может быть")
BTN_NOT_GOING = _("❌ Не иду")
TOAST_GOING = _("Ваш ответ: иду.")
TOAST_MAYBE = _("Ваш ответ: может быть.")
TOAST_NOT_GOING = _("Ваш ответ: не иду.")
INLINE_RESULT_DESCRIPTION = _("{date} {time} · идут: {count}")
INLINE_NO_EVENTS = _("Нет ваших предстоящих событий")
BTN_SHARE_CARD = _("📤 Поделиться карточкой")
BTN_CLOSE_ANSWERS = _("🔒 Закрыть ответы")
BTN_REOPEN_ANSWERS = _("🔓 Открыть ответы")
POST_USAGE = _("Пришлите номер события: /post <id>. Номера — в /my_events.")
POST_READY = _(
    "Карточка «{name}»: нажмите кнопку и выберите чат. В карточке можно ответить "
    "«Иду», «Может быть» или «Не иду»."
)

ERRORS["rsvp_forged"] = _("Эта кнопка недействительна.")
ERRORS["rsvp_closed"] = _("Организатор закрыл ответы на это событие.")
ERRORS["rsvp_answer"] = _("Эта кнопка недействительна.")
