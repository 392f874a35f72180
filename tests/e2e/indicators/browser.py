"""A real headless browser for the dashboard test: Debian's chromium, driven by Playwright.

Playwright's own browser downloads are never used (`playwright install` is not run): the test
drives the distribution's chromium, installed from Debian's archive when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from playwright.async_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt (as root) only when the binary is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError(f"{CHROMIUM} is missing: run `apt-get install -y chromium` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, env=env, timeout=900)
    return CHROMIUM


async def launch(playwright: Playwright) -> Browser:
    """Start the headless chromium."""
    executable = ensure_chromium()
    return await playwright.chromium.launch(executable_path=str(executable), args=ARGS)
