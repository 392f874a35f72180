"""The voucher's QR code as inline SVG, made on the server with `segno` (no script, no image
request, prints sharp at any size)."""

from __future__ import annotations

import io

import segno


def qr_svg(payload: str) -> str:
    """An SVG `<svg>` element encoding `payload` (error correction M: survives a crumpled slip)."""
    out = io.BytesIO()
    segno.make(payload, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2, svgclass="qr", omitsize=True
    )
    return out.getvalue().decode()
