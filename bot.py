#!/usr/bin/env python
"""The original project's entry point: `python bot.py` runs the bot, as `manage.py runbot` does."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], "runbot", *sys.argv[1:]])
