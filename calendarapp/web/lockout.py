"""The admin log-in's answer once django-axes locked a user name out from an address
(settings.AXES_LOCKOUT_CALLABLE): the admin's own look, in the request's language, 429 with
Retry-After. The form is not shown again: a right password would not help until the end."""

import math

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse

from . import texts


def locked_out(request, original_response=None, credentials=None):
    seconds = settings.AXES_COOLOFF_TIME.total_seconds()
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = admin.site.each_context(request) | {
        "title": texts.LOCKED_OUT_TITLE,
        "text": texts.LOCKED_OUT_TEXT.format(username=username, minutes=math.ceil(seconds / 60)),
        "hint": texts.LOCKED_OUT_HINT,
        "again": texts.LOCKED_OUT_AGAIN,
        "login_url": reverse("admin:login"),
    }
    response = render(request, "admin/calendarapp/locked_out.html", context, status=429)
    response["Retry-After"] = str(math.ceil(seconds))
    return response
