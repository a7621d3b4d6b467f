"""Draws the app icons (a white chevron, "passage", on the theme colour) as PNGs, with no
image library: the output is committed, this script documents how it was made.

    .venv/bin/python tools/make_icons.py
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

THEME = (0x0B, 0x4F, 0x6C)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"


def png(width: int, pixels: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", width, len(pixels), 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def render(size: int, radius: float, colour) -> bytes:  # type: ignore[no-untyped-def]
    """A size x size PNG: transparent outside a square with corners of `radius` (0: square),
    `colour(cx, cy)` -> RGB inside it."""
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            cx, cy = x + 0.5, y + 0.5
            dx = max(radius - cx, 0, cx - (size - radius))
            dy = max(radius - cy, 0, cy - (size - radius))
            if radius and dx * dx + dy * dy > radius * radius:
                row += bytes((0, 0, 0, 0))
            else:
                row += bytes((*colour(cx, cy), 255))
        rows.append(bytes(row))
    return png(size, rows)


def draw(size: int, maskable: bool) -> bytes:
    # Maskable icons must keep their content inside the central 80 % "safe zone" and fill the
    # whole square; plain icons get rounded corners.
    scale = 0.55 if maskable else 0.7

    def chevron(cx: float, cy: float) -> tuple[int, int, int]:
        # Two thick strokes meeting at the right, centred.
        u = (cx / size - 0.5) / scale + 0.5
        v = (cy / size - 0.5) / scale + 0.5
        arm = abs(v - 0.5)
        on = 0.22 <= u <= 0.78 and abs((u - 0.3) - (0.5 - arm) * 0.9) < 0.11 and arm < 0.4
        return WHITE if on else THEME

    return render(size, 0 if maskable else size * 0.18, chevron)


def draw_notes(size: int, maskable: bool) -> bytes:
    """The neutral icon a delegate may choose: ruled lines on grey paper, like any notes app."""
    paper, ink = (0xEC, 0xEE, 0xF0), (0x8A, 0x94, 0x9E)
    margin = size * (0.3 if maskable else 0.22)

    def ruled(cx: float, cy: float) -> tuple[int, int, int]:
        line = margin <= cx <= size - margin and margin <= cy <= size - margin and \
            (cy - margin) % (size * 0.12) < size * 0.035
        return ink if line else paper

    return render(size, 0 if maskable else size * 0.18, ruled)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (32, 180, 192, 512):
        (OUT / f"icon-{size}.png").write_bytes(draw(size, maskable=False))
        (OUT / f"notes-{size}.png").write_bytes(draw_notes(size, maskable=False))
    (OUT / "maskable-512.png").write_bytes(draw(512, maskable=True))
    (OUT / "notes-maskable-512.png").write_bytes(draw_notes(512, maskable=True))
    print("icons written to", OUT)


if __name__ == "__main__":
    main()
