"""Import previews waiting for «Импортировать» (models.ImportDraft)."""

from calendarapp.models import ImportDraft


def current_draft_token(*, owner_tg_id: int) -> str | None:
    """The token of the person's newest preview (None: none waits)."""
    return ImportDraft.objects.filter(owner_id=owner_tg_id).values_list("token", flat=True).first()
