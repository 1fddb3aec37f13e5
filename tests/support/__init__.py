"""Helpers shared by the tests, each in one place.

- waiting.py: wait for a condition (a row, an answer, a log line) with a generous deadline
  instead of sleeping for a guess of how long it takes;
- clock.py: a movable "now" for code that asks a clock;
- processes.py: child processes (manage.py, runbot, gunicorn) and their output;
- sqlite.py: a migrated throw-away SQLite database for child processes;
- fake_telegram.py: a bot process talking to the fake Bot API;
- threads.py: run a function in several threads at once.
"""
