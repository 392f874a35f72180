"""Poppler's command-line tools (Debian `poppler-utils`): a PDF rendered to PNG pages as a
reader's viewer would (`pdftoppm`), and each page's text as laid out (`pdftotext -layout`).

Installed from Debian's archive with apt (as root) only when missing, as the dashboard test
does for chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def ensure_poppler() -> None:
    """`pdftoppm` and `pdftotext` on PATH, installing `poppler-utils` when they are missing."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError("pdftoppm is missing: run `apt-get install -y poppler-utils` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "poppler-utils"], check=True, env=env, timeout=900
    )


def render_pages(pdf: bytes, folder: Path) -> list[Path]:
    """Every page as a PNG, in order."""
    ensure_poppler()
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", source, folder / "page"], check=True)
    return sorted(folder.glob("page-*.png"))


def page_texts(pdf: bytes, folder: Path) -> list[str]:
    """Each page's text, laid out as on the page."""
    ensure_poppler()
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", source, "-"], check=True, capture_output=True, text=True
    )
    return out.stdout.split("\f")[:-1]
