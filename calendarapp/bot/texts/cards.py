"""Event cards posted in any chat (inline mode) and the answers to them."""

from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.errors import ERRORS

CARD = _("📅 {name}\nКогда: {date} {time} ({zone})\n{details}Организатор: {who}\n\n{answers}")
CARD_DETAILS = _("{details}\n")
CARD_GOING = _("✅ Идут: {count}")
CARD_MAYBE = _("🤔 Может быть: {count}")
CARD_NOT_GOING = _("❌ Не идут: {count}")
CARD_MORE = _("и ещё {count}")
CARD_GUESTS = _("➕ Гостей с ними: {count}")
CARD_SEATS = _("🎟 Занято мест: {taken} из {capacity}")
CARD_WAITING = _("⏳ В листе ожидания: {count}")
CARD_CLOSED = _("🔒 Ответы закрыты.")
BTN_GOING = _("✅ Иду")
BTN_MAYBE = _("🤔 Может быть")
BTN_NOT_GOING = _("❌ Не иду")
BTN_GUEST_MORE = _("➕ Гость")
BTN_GUEST_LESS = _("➖ Гость")
TOAST_GOING = _("Ваш ответ: иду.")
TOAST_MAYBE = _("Ваш ответ: может быть.")
TOAST_NOT_GOING = _("Ваш ответ: не иду.")
TOAST_WAITING = _(
    "Мест нет: вы в листе ожидания. Освободится место — вы пойдёте, а если вы писали боту, "
    "он вам скажет."
)
TOAST_GUESTS = _("С вами гостей: {count}.")
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
ERRORS["rsvp_answer"] = ERRORS["rsvp_forged"]
ERRORS["rsvp_guests_need_going"] = _("Гостей можно взять, только ответив «Иду».")
ERRORS["rsvp_guests_max"] = _("Не больше {limit} гостей.")
ERRORS["rsvp_full"] = _("Мест больше нет.")
ERRORS["rsvp_capacity"] = _("Число мест — от 1 до {limit}.")

# What the outbox tells the people around a card.
MOVED_UP = _("🎟 Освободилось место: вы идёте на «{name}», {date} {time} ({zone}).")
EVENT_CHANGED = _(
    "✏️ Организатор изменил событие «{name}», на которое вы ответили: теперь {date} {time} "
    "({zone}).{details}"
)
EVENT_CANCELLED = _("❌ Событие «{name}» ({date} {time}, {zone}) отменено организатором.")
DIGEST = _("📬 Новые ответы на «{name}»:\n{lines}\n\nВсего: {totals}")
CAPACITY_USAGE = _(
    "Пришлите номер события и число мест: /capacity <id> <число>, или /capacity <id> 0 — "
    "без ограничения."
)
CAPACITY_SET = _("Мест на «{name}»: {capacity}.")
CAPACITY_NONE = _("без ограничения")

# /post in a group: the picker of the caller's own events.
GROUP_PICK = _("{name}, выберите событие для карточки (выбрать можете только вы):")
GROUP_PICK_NONE = _(
    "{name}, публичных событий у вас нет. Любое своё событие можно выбрать кнопкой ниже: "
    "список увидите только вы."
)
BTN_PICK_ANY = _("🔎 Другое моё событие")
ERRORS["picker_not_yours"] = _("Этот выбор — для того, кто вызвал /post.")
