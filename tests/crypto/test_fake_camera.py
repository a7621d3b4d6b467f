"""tests/support/fake_camera.py: a QR code as a YUV4MPEG2 video for Chromium's fake camera.

The picture is decoded with jsQR, the decoder the PWA vendors (pwa/vendor/jsqr.js): once in
Node straight from the Y plane, and once end to end, in Chromium playing the file as its camera.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.fake_camera import qr_luma, write_y4m

ROOT = Path(__file__).resolve().parents[2]
JSQR = ROOT / "pwa" / "vendor" / "jsqr.js"
SAFETY = "SP1-SAFETY:" + "".join(str(i % 10) for i in range(60))

# Reads a grey image (size x size bytes) on stdin, prints jsQR's text (or null) as JSON.
DECODE = """
import { readFileSync } from "node:fs";
const [url, size] = process.argv.slice(1);
const { jsQR } = await import(url);
const grey = readFileSync(0);
const n = Number(size);
const rgba = new Uint8ClampedArray(n * n * 4);
for (let i = 0; i < n * n; i++) rgba.set([grey[i], grey[i], grey[i], 255], i * 4);
const code = jsQR(rgba, n, n);
console.log(JSON.stringify(code && code.data));
"""


def decode_with_jsqr(luma: bytes, size: int) -> str | None:
    node = shutil.which("node")
    assert node, "Node.js is missing (make system-deps)"
    assert JSQR.exists(), "pwa/vendor/jsqr.js is missing: run `node tools/vendor.mjs`"
    out = subprocess.run(
        [node, "--no-warnings", "--input-type=module", "-e", DECODE, JSQR.as_uri(), str(size)],
        input=luma, capture_output=True, check=True, timeout=60,
    )
    result: str | None = json.loads(out.stdout)
    return result


def test_y4m_header_and_frames(tmp_path: Path) -> None:
    # Given a code written as 3 frames of 320 x 320
    path = write_y4m(tmp_path / "code.y4m", SAFETY, size=320, frames=3)
    data = path.read_bytes()
    # Then the stream header says 4:2:0, progressive, 30 fps
    header, rest = data.split(b"\n", 1)
    assert header == b"YUV4MPEG2 W320 H320 F30:1 Ip A1:1 C420jpeg"
    # And each frame is FRAME, the Y plane (the picture), then neutral U and V planes
    frame_len = len(b"FRAME\n") + 320 * 320 * 3 // 2
    assert len(rest) == 3 * frame_len
    luma = qr_luma(SAFETY, 320)
    for i in range(3):
        frame = rest[i * frame_len : (i + 1) * frame_len]
        assert frame.startswith(b"FRAME\n")
        assert frame[6 : 6 + 320 * 320] == luma
        assert set(frame[6 + 320 * 320 :]) == {128}


def test_picture_is_black_modules_on_a_white_quiet_zone() -> None:
    luma = qr_luma(SAFETY, 480)
    assert len(luma) == 480 * 480
    assert set(luma) == {0, 255}
    # The border (at least the 4-module quiet zone) is white all round.
    rows = [luma[r * 480 : (r + 1) * 480] for r in range(480)]
    for edge in (rows[0], rows[-1], bytes(row[0] for row in rows), bytes(row[-1] for row in rows)):
        assert set(edge) == {255}


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        qr_luma(SAFETY, 481)  # 4:2:0 needs even dimensions
    with pytest.raises(ValueError):
        qr_luma(SAFETY, 60)  # under 2 pixels per module


@pytest.mark.parametrize("size", [480, 240])
def test_y_plane_decodes_to_the_text(size: int) -> None:
    assert decode_with_jsqr(qr_luma(SAFETY, size), size) == SAFETY


@pytest.mark.browser
def test_chromium_scans_the_fake_camera(  # type: ignore[no-untyped-def]
    tmp_path: Path, browser_type, browser_type_launch_args, live_server
) -> None:
    # Given Chromium whose camera plays a QR code video
    video = write_y4m(tmp_path / "code.y4m", SAFETY)
    args = [*browser_type_launch_args["args"], "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        page = browser.new_page(base_url=live_server)
        page.goto("/")
        # When a page reads camera frames and decodes them with the vendored jsQR
        text = page.evaluate("""async () => {
          const { jsQR } = await import("/vendor/jsqr.js");
          const stream = await navigator.mediaDevices.getUserMedia({ video: true });
          const video = document.createElement("video");
          video.muted = true;
          video.srcObject = stream;
          await video.play();
          const canvas = document.createElement("canvas");
          try {
            for (let i = 0; i < 100; i++) {
              await new Promise((r) => setTimeout(r, 50));
              if (!video.videoWidth) continue;
              canvas.width = video.videoWidth;
              canvas.height = video.videoHeight;
              const ctx = canvas.getContext("2d", { willReadFrequently: true });
              ctx.drawImage(video, 0, 0);
              const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
              const code = jsQR(img.data, img.width, img.height);
              if (code) return code.data;
            }
            return null;
          } finally {
            stream.getTracks().forEach((t) => t.stop());
          }
        }""")
    finally:
        browser.close()
    # Then the text read from the camera is the text written
    assert text == SAFETY
