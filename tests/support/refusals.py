"""What a service refuses with, in one line of a test."""

import pytest

from calendarapp.exceptions import DomainError


def refusal(kind: type[DomainError], call, /, *args, **kwargs) -> DomainError:
    """The error `call(*args, **kwargs)` is refused with; it must be a `kind`."""
    with pytest.raises(kind) as refused:
        call(*args, **kwargs)
    return refused.value
