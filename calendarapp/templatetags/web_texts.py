from django import template

from calendarapp.web import texts

register = template.Library()


@register.simple_tag
def text(name: str) -> str:
    """`{% text "HEADLINE" %}`: a text of calendarapp/web/texts.py in the active language.

    An unknown name raises instead of rendering nothing, so a typo fails the page's tests.
    """
    return str(getattr(texts, name))
