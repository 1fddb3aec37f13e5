"""Every word of the web pages (front page, 404, 500), in Russian, marked for translation.

Templates take them with `{% text "NAME" %}` (calendarapp/templatetags/web_texts.py) rather
than `{% translate %}`, so the catalog check, which reads Python, sees every text, and the
500 page, which Django renders with no context at all, still speaks the request's language.
"""

from django.utils.translation import gettext_lazy as _

HEADLINE = _("Личный календарь в Telegram")
LEAD = _(
    "Calendar Bot — бот в Telegram, который ведёт ваш личный календарь: события с "
    "напоминаниями, публичные события других людей, приглашения на встречи и выгрузку "
    "календаря."
)
OPEN_BOT = _("Открыть бота в Telegram")
NOT_CONFIGURED = _("Бот ещё не настроен: его имя в Telegram пока неизвестно.")
NOT_CONFIGURED_HINT = _(
    "Задайте TELEGRAM_BOT_USERNAME или запустите бота (manage.py runbot): при запуске он "
    "запоминает своё имя."
)

FEATURES = _("Что здесь есть")
BOT_TITLE = _("Бот")
BOT_TEXT = _(
    "Регистрация, события и напоминания, встречи и ответы на приглашения, ссылка на "
    "выгрузку — всё в чате."
)
ADMIN_TITLE = _("Админка")
ADMIN_TEXT = _("Пользователи, события, встречи и статистика для администраторов.")
ADMIN_LINK = _("Открыть админку")
API_TITLE = _("REST API")
API_TEXT = _("Публичные события, пользователи, встречи и ссылки на выгрузку для интеграций.")
API_ROOT_LINK = _("Корень API")
EXPORTS_TITLE = _("Подписанные выгрузки")
EXPORTS_TEXT = _(
    "Короткоживущие подписанные ссылки на календарь в CSV, JSON и ICS: без входа, без токена."
)
HEALTH_LINK = _("Проверка работоспособности")

DEVELOPMENT = _("Для разработки")
DEVELOPMENT_NOTE = _("Этот раздел виден только при DJANGO_DEBUG=1.")
MAKE_RUN = _("миграции и сайт на http://127.0.0.1:8000 (и бот, если задан токен)")
MAKE_TEST = _("все тесты")
MAKE_CHAT = _("разговор с ботом в терминале через поддельный Telegram: без сети и без токена")

TO_FRONT_PAGE = _("На главную")
NOT_FOUND_TITLE = _("Страница не найдена")
NOT_FOUND_TEXT = _("Такой страницы здесь нет: возможно, ссылка устарела или в адресе опечатка.")
SERVER_ERROR_TITLE = _("Что-то пошло не так")
SERVER_ERROR_TEXT = _("Сервер не смог обработать запрос. Попробуйте ещё раз чуть позже.")

# The admin's log-in page after too many wrong passwords (calendarapp/web/lockout.py).
LOCKED_OUT_TITLE = _("Вход временно закрыт")
LOCKED_OUT_TEXT = _(
    "Слишком много неудачных попыток входа под именем «{username}» с этого адреса. Вход для "
    "этого имени с этого адреса закрыт на {minutes} мин.; потом попробуйте снова."
)
LOCKED_OUT_HINT = _(
    "Забыли пароль? Другой администратор может задать новый и снять блокировку в разделе "
    "«Попытки доступа»."
)
LOCKED_OUT_AGAIN = _("Попробовать позже")
