"""The `pollguard` entry point itself."""

import subprocess
import sys


def test_it_prints_its_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pollguard", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("pollguard ")
