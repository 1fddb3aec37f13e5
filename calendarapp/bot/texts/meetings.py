"""Meetings: /invite, invitations and their answers, /meetings."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from calendarapp.bot.texts.common import NEED_REGISTER
from calendarapp.bot.texts.errors import ERRORS
from calendarapp.models import APPOINTMENT_DETAILS_MAX_LENGTH, Appointment

# --- meetings -----------------------------------------------------------------------------
BTN_PICK_USER = _("👤 Выбрать из контактов")
BTN_ACCEPT = _("Принять")
BTN_DECLINE = _("Отклонить")
BTN_CANCEL_MEETING = _("Отменить #{id}")
BTN_ACCEPT_MEETING = _("✅ Принять #{id}")
BTN_DECLINE_MEETING = _("❌ Отклонить #{id}")
ASK_PARTICIPANT = _(
    "Кого пригласить? Нажмите «Выбрать из контактов» внизу или пришлите @username "
    "или Telegram ID участника."
)
PARTICIPANT_CHOSEN = _("Приглашаем: {who}.")
PARTICIPANT_EXPECTED = _("Пришлите @username или Telegram ID участника либо выберите его кнопкой.")
INVITEE_UNKNOWN = _(
    "{who} ещё не пользуется ботом. Пригласите по ссылке: нажмите «🔗 Ссылка-приглашение» "
    "внизу и перешлите её."
)
ASK_INVITE_EVENT = _("На какое событие приглашаем? Выберите кнопкой или пришлите номер события.")
ASK_INVITE_DETAILS = format_lazy(
    _("Комментарий к приглашению (до {limit} символов) — или нажмите «Пропустить»."),
    limit=APPOINTMENT_DETAILS_MAX_LENGTH,
)
ASK_INVITE_OCCURRENCE = _(
    "«{name}» повторяется: {rule}. Пригласить на всю серию или на один из ближайших дней?"
)
BTN_WHOLE_SERIES = _("🔁 Вся серия")
INVITE_OCCURRENCE_EXPECTED = _("Выберите кнопкой: вся серия или один из дней.")
BTN_INVITE_LINK = _("🔗 Ссылка-приглашение")
BTN_FORWARD_INVITATION = _("📨 Переслать приглашение")
BTN_REVOKE_LINK = _("Отозвать ссылку")
INVITE_LINK = _(
    "Ссылка-приглашение на «{name}» ({date} {time}):\n{url}\n\n"
    "Перешлите её кому угодно: ответить сможет первый, кто её откроет. "
    "Действует до {expires}."
)
INVITE_WAITS_FOR_START = _(
    "{who} ещё не открывал бота, поэтому написать ему я не могу. Приглашение на «{name}» "
    "({date} {time}) сохранено: перешлите ему ссылку — он увидит приглашение, как только "
    "откроет бота.\n{url}"
)
LINK_REVOKED = _("Ссылка отозвана: по ней больше нельзя ответить.")
LINK_SHARE_TEXT = _("Приглашаю: «{name}», {date} {time}")
LINK_INVITATION = _(
    "{who} приглашает вас: «{name}», {date} в {time} ({zone}).{details}\n\nПринять приглашение?"
)
LINK_ACCEPTED = _(
    "✅ Вы приняли приглашение: «{name}», {date} в {time}. Встреча — в /meetings и /calendar."
)
LINK_DECLINED = _("❌ Вы отклонили приглашение на «{name}».")
INVITE_SENT = _(
    "Приглашение для {who} на «{name}» ({date} {time}) отправлено. "
    "Когда участник ответит, я напишу. Ваши встречи: /meetings"
)
INVITATION = _("{who} приглашает вас на встречу «{name}».\nКогда: {date} {time}{zone}")
INVITATION_SERIES = _("\n🔁 На всю серию: {rule}")
INVITATION_COMMENT = _("\nКомментарий: {details}")
INVITATION_ZONE = _(" (по вашему времени; у организатора {time}, {zone})")
YOU_ACCEPTED = _("✅ Вы приняли приглашение. Встреча в вашем календаре: /calendar")
YOU_DECLINED = _("❌ Вы отклонили приглашение.")
TOAST_ACCEPTED = _("Приглашение принято.")
TOAST_DECLINED = _("Приглашение отклонено.")
ALREADY_ANSWERED = {
    "confirmed": _("Вы уже приняли это приглашение."),
    "cancelled": _("Это приглашение уже отклонено или встреча отменена."),
}
INVITATION_GONE = _("Этого приглашения больше нет.")
ANSWER_ACCEPTED = _("✅ {who} принимает приглашение на «{name}» ({date} {time}).")
ANSWER_DECLINED = _("❌ {who} отклоняет приглашение на «{name}» ({date} {time}).")
MEETING_CANCELLED_BY = _("🚫 {who} отменяет встречу «{name}» ({date} {time}).")
MEETING_MOVED_BY = _("🕑 {who} переносит встречу «{name}»: теперь {date} {time}.")
INVITATION_UNDELIVERED = _(
    "Не удалось доставить приглашение на «{name}» ({date} {time}): {who} заблокировал(а) "
    "бота. Встреча отменена."
)
MEETING_NO_EVENT = _("(событие удалено)")
CALENDAR_MEETING_LINE = _("🤝 встреча #{id} · {date} {time} · {name}")
CALENDAR_GOING_LINE = _("✅ иду · {date} {time} · {name}")
MEETINGS_TITLE = _("Ваши встречи")
NO_MEETINGS = _("У вас нет встреч, ожидающих ответа или подтверждённых. Пригласить: /invite")
MEETING_AS_ORGANIZER = _("#{id} · {date} {time} · «{name}»\n   вы пригласили {who} — {status}")
MEETING_SERIES_NOTE = _("\n   🔁 вся серия: {rule}")
MEETING_AS_GUEST = _("#{id} · {date} {time} · «{name}»\n   вас пригласил(а) {who} — {status}")
# The admin's words for a meeting's status, but a pending one «ждёт ответа», as in a list.
MEETING_STATUS = {**dict(Appointment.Status.choices), Appointment.Status.PENDING: _("ждёт ответа")}
MEETING_CANCELLED = _("Встреча #{id} отменена, {who} получит уведомление.")

ERRORS.update(
    {
        "comment_too_long": _("Комментарий длиннее {limit} символов."),
        "invite_self": (
            _("Себя пригласить нельзя. Пришлите @username или Telegram ID другого человека.")
        ),
        "participant_not_found": (
            _(
                "Пользователь {tg_id} ещё не пользуется ботом. Пригласите его по ссылке: "
                "/invite, затем «🔗 Ссылка-приглашение»."
            )
        ),
        "invitation_unknown": _("Эта ссылка-приглашение недействительна."),
        "invitation_expired": _(
            "Срок этой ссылки-приглашения истёк. Попросите организатора прислать новую."
        ),
        "invitation_revoked": _("Организатор отозвал это приглашение."),
        "invitation_answered": _("На это приглашение уже ответили."),
        "invitation_for_someone_else": _(
            "Это приглашение для другого человека: ответить на него может только он."
        ),
        "organizer_not_found": NEED_REGISTER,
        "already_invited": _("Этот человек уже приглашён на это событие."),
        "participant_busy": (
            _("У участника уже есть встреча {date} в {time}. Выберите другое событие.")
        ),
        "appointment_not_found": _("Встреча #{appointment_id} не найдена."),
        "already_answered": _("На это приглашение уже ответили."),
        "already_cancelled": _("Эта встреча уже отменена."),
    }
)
