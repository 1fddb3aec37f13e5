"""The kinds of link between the models, each declared once."""

from django.db import models


def soft_link(to, *, verbose_name, related_name: str, field=models.ForeignKey):
    """A link that outlives the row it points to: deleting that row leaves NULL here and
    keeps this one, so a meeting or an invitation stays in its people's history."""
    return field(
        to,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
    )


def part_of(to, *, verbose_name, related_name: str, **options) -> models.ForeignKey:
    """A link to the row this one belongs to: deleting that row deletes this one."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        related_name=related_name,
        **options,
    )


def one_per_person(to, *, verbose_name, related_name: str) -> models.OneToOneField:
    """The person's own row of a table that holds at most one per person (its key is theirs);
    it goes with them."""
    return models.OneToOneField(
        to,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name=related_name,
    )
