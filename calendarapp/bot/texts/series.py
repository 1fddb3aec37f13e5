"""A part of a series: which occurrence, and only it, it and the following, or all."""

from django.utils.translation import gettext_lazy as _

ASK_OCCURRENCE_TO_EDIT = _(
    "Событие #{id} «{name}» повторяется: {rule}.\n"
    "Какое повторение изменить? Нажмите на дату или напишите её (например, 15.03.2027)."
)
ASK_OCCURRENCE_TO_DELETE = _(
    "Событие #{id} «{name}» повторяется: {rule}.\n"
    "Какое повторение удалить? Нажмите на дату или напишите её (например, 15.03.2027)."
)
ASK_SCOPE_TO_EDIT = _("Изменить только {date}, это и следующие повторения или все?")
ASK_SCOPE_TO_DELETE = _("Удалить только {date}, это и следующие повторения или всю серию?")
BTN_SCOPE_ONE = _("Только это")
BTN_SCOPE_FOLLOWING = _("Это и следующие")
BTN_SCOPE_ALL = _("Все")
BTN_ALL_OCCURRENCES = _("Все повторения")
SCOPE_EXPECTED = _("Выберите кнопкой: только это, это и следующие или все.")
FOLLOWING_DELETED = _("Готово: событие #{id} «{name}» больше не повторяется с {date}.")
