"""A movable clock: the code under test asks it for "now", a test moves it instead of sleeping.

`reads` counts the questions, so a test can wait until the code has looked at the clock
since it was moved (a periodic job has run with the new time) instead of sleeping.
"""

import datetime as dt


class Clock:
    def __init__(self, now: dt.datetime | None = None):
        self.now = now or dt.datetime.now(dt.UTC)
        self.reads = 0

    def __call__(self) -> dt.datetime:
        self.reads += 1
        return self.now
