"""Calendar files waiting for the person's «Импортировать» (services.imports)."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .calendar import TgUser
from .links import one_per_person


class ImportDraft(models.Model):
    """The file of the last import preview a person was shown, one per person: the button
    reads it from here, so a restart between the preview and the press loses nothing, and
    a newer preview replaces the older one (its buttons then carry a token that no longer
    matches). The text is at most services.imports.MAX_ICS_BYTES long."""

    owner = one_per_person(TgUser, verbose_name=_("владелец"), related_name="import_draft")
    token = models.CharField(_("ключ кнопок"), max_length=32)
    source = models.CharField(_("откуда"), max_length=300, blank=True)
    content = models.TextField(_("файл"))
    created_at = models.DateTimeField(_("создан"), auto_now=True)

    class Meta:
        verbose_name = _("файл для импорта")
        verbose_name_plural = _("файлы для импорта")

    def __str__(self) -> str:
        return gettext("импорт пользователя {owner}").format(owner=self.owner_id)
