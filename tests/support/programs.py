"""Programs the interop tests drive (khal, LibreOffice): skipped where one is not installed,
a failure on CI, which must have them (.ci/run installs them and sets CI=true)."""

import os
import shutil

import pytest


def require_program(name: str, *, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {package})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
