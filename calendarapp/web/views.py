from django.conf import settings
from django.shortcuts import render

from calendarapp.selectors.bot_identity import bot_username


def front_page(request):
    """What the product is, the bot's Telegram link and where the web side's parts live."""
    return render(
        request,
        "calendarapp/front_page.html",
        {"bot_username": bot_username(), "development": settings.DEBUG},
    )
