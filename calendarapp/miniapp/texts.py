"""The Mini App's words. The page carries them in both languages (it learns who is reading
only from initData, after it has loaded) and shows the reader's: their /language choice,
else their Telegram client's."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from calendarapp.i18n import SUPPORTED_LANGUAGES
from calendarapp.models import REMINDER_CHOICES

TEXTS = {
    "title": _("Календарь"),
    "month": _("Месяц"),
    "week": _("Неделя"),
    "agenda": _("Список"),
    "today": _("Сегодня"),
    "previous": _("Назад"),
    "next": _("Вперёд"),
    "new_event": _("Новое событие"),
    "no_events": _("Событий нет."),
    "no_upcoming": _("Ближайших событий нет."),
    "meeting": _("Встреча"),
    "public": _("Публичное"),
    "repeats": _("Повторяется"),
    "private": _("Личное"),
    "name": _("Название"),
    "date": _("Дата"),
    "time": _("Время"),
    "details": _("Описание"),
    "reminder": _("Напоминание"),
    "visibility": _("Видно другим"),
    "capacity": _("Мест"),
    "capacity_hint": _("Пусто — без ограничения."),
    "rsvp_closed": _("Ответы закрыты"),
    "save": _("Сохранить"),
    "cancel": _("Отмена"),
    "close": _("Закрыть"),
    "edit": _("Изменить"),
    "delete": _("Удалить"),
    "delete_confirm": _("Удалить «{name}»? Гости получат отмену."),
    "make_public": _("Сделать публичным"),
    "make_private": _("Сделать личным"),
    "guests": _("Приглашённые"),
    "no_guests": _("Никто не приглашён."),
    "status_pending": _("ждёт ответа"),
    "status_confirmed": _("придёт"),
    "read_only": _("Событие другого человека: его можно только посмотреть."),
    "organiser": _("Организатор"),
    "saved": _("Сохранено."),
    "deleted": _("Событие удалено."),
    "open_in_telegram": _("Откройте календарь из бота в Telegram: кнопка «Календарь» или /app."),
    "press_start": _("Сначала нажмите /start в боте, затем откройте календарь снова."),
    "expired": _("Вход устарел: закройте календарь и откройте его снова."),
    "failed": _("Не получилось: {reason}"),
    "offline": _("Нет связи с сервером. Попробуйте ещё раз."),
    "weekdays": _("Пн Вт Ср Чт Пт Сб Вс"),
    "months": _("Январь Февраль Март Апрель Май Июнь Июль Август Сентябрь Октябрь Ноябрь Декабрь"),
    # The services' refusals, by their stable codes (calendarapp.exceptions).
    "error_name_empty": _("Введите название."),
    "error_name_too_long": _("Название слишком длинное."),
    "error_details_too_long": _("Описание слишком длинное."),
    "error_in_past": _("Это время уже прошло."),
    "error_date_in_past": _("Этот день уже прошёл."),
    "error_date_too_far": _("Слишком далеко: выберите дату поближе."),
    "error_rsvp_capacity": _("Мест может быть от 1 до 100 000."),
    "error_invalid": _("Проверьте это поле."),
}


def catalog() -> dict[str, dict]:
    """Every text and the reminder choices, in every language the product speaks."""
    result = {}
    for language in SUPPORTED_LANGUAGES:
        with override(language):
            words = {key: str(text) for key, text in TEXTS.items()}
            words["reminders"] = [[minutes, str(label)] for minutes, label in REMINDER_CHOICES]
        result[language] = words
    return result
