"""A movable clock: the code under test asks it for "now", a test moves it instead of sleeping."""

import datetime as dt


class Clock:
    def __init__(self, now: dt.datetime | None = None):
        self.now = now or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now
