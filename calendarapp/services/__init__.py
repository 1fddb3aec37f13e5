"""Writes: every business rule of the calendar, shared by the bot, the API, admin and export.

Services are synchronous Django code; the async bot calls them through `sync_to_async`.
"""
