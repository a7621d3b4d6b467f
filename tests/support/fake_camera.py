"""A QR code as Chromium's fake camera, for browser tests that scan a code.

``write_y4m(path, text)`` renders ``text`` as a QR code (segno) and writes it as a YUV4MPEG2
video that Chromium plays as its camera when started with::

    --use-fake-device-for-media-stream --use-fake-ui-for-media-stream
    --use-file-for-fake-video-capture=<path>

(the first two make ``getUserMedia`` succeed without a device or a permission prompt). Chromium
loops the file, so a few frames of the same picture are a steady camera. The picture is the
code's modules, dark = 0 and light = 255, each an integer number of pixels, inside the 4-module
quiet zone the QR standard asks for, centred on a white square; the chroma planes are neutral
(128), so the video is grey.
"""
from __future__ import annotations

from pathlib import Path

import segno

QUIET_ZONE = 4  # modules of light margin around the code (ISO/IEC 18004)
FPS = 30
DARK, LIGHT, NEUTRAL_CHROMA = 0, 255, 128


def qr_luma(text: str, size: int = 480) -> bytes:
    """The QR code for ``text`` as ``size`` x ``size`` 8-bit grey pixels, row by row.

    Raises ValueError when ``size`` leaves fewer than 2 pixels per module (a camera could not
    read it) or is odd (4:2:0 video needs even dimensions).
    """
    if size % 2:
        raise ValueError("size must be even for 4:2:0 video")
    modules = [list(row) for row in segno.make(text, error="m", micro=False).matrix_iter(
        scale=1, border=QUIET_ZONE)]
    n = len(modules)
    scale = size // n
    if scale < 2:
        raise ValueError(f"{size} px is too small for a {n}-module code with its quiet zone")
    offset = (size - n * scale) // 2
    image = bytearray([LIGHT]) * (size * size)
    for r, row in enumerate(modules):
        line = b"".join(bytes([DARK if dark else LIGHT]) * scale for dark in row)
        for k in range(scale):
            start = (offset + r * scale + k) * size + offset
            image[start : start + len(line)] = line
    return bytes(image)


def write_y4m(path: str | Path, text: str, size: int = 480, frames: int = 30) -> Path:
    """Write ``text`` as a QR code video: YUV4MPEG2, ``size`` x ``size``, 4:2:0 (C420jpeg,
    full-range), progressive, 30 fps, ``frames`` identical frames. Returns the path."""
    if frames < 1:
        raise ValueError("at least one frame")
    luma = qr_luma(text, size)
    chroma = bytes([NEUTRAL_CHROMA]) * ((size // 2) * (size // 2))
    frame = b"FRAME\n" + luma + chroma + chroma
    path = Path(path)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{size} H{size} F{FPS}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            f.write(frame)
    return path
