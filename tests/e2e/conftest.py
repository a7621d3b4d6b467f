"""Fixtures for the account and sync tests: invite links, more phones (browser contexts) of one
delegate, what each phone sent over the network, and what the server logged."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.guard import PageGuard
from tests.e2e.pages.account_pages import Device

VIEWPORT = {"width": 360, "height": 740}


@dataclass(frozen=True)
class InviteLink:
    token: str
    url: str  # what the delegate taps: <live server>/#invite=<token>&role=<role>


@pytest.fixture
def issue_invite(app_config, live_server: str) -> Iterator[Callable[..., InviteLink]]:  # type: ignore[no-untyped-def]
    """What the operator's `flask invite create` does, on the test database (emptied first by
    app_config), through a separate app object; the link points at the live server."""
    from server import create_app
    from server.db import db
    from server.services.invites import create_invite, invite_url

    app = create_app(app_config)

    def issue(role: str = "delegate") -> InviteLink:
        with app.app_context():
            token = create_invite(role)
            url = invite_url(token)
        fragment = url.split("/#", 1)[1]
        return InviteLink(token=token, url=f"{live_server}/#{fragment}")

    yield issue
    with app.app_context():
        db.engine.dispose()


@dataclass
class Traffic:
    """Every request a browser context made: URL, headers and body bytes."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def record(self, request) -> None:  # type: ignore[no-untyped-def]
        body = request.post_data_buffer or b""
        self.requests.append((request.method, request.url, dict(request.headers), body))

    def urls(self) -> list[str]:
        return [url for _, url, _, _ in self.requests]

    def bodies_to(self, path: str) -> list[bytes]:
        return [body for _, url, _, body in self.requests if url.split("?", 1)[0].endswith(path)]

    def as_bytes(self) -> bytes:
        """URLs, headers and bodies of everything sent, one blob to search."""
        parts: list[bytes] = []
        for method, url, headers, body in self.requests:
            parts.append(f"{method} {url}".encode())
            parts.extend(f"{k}: {v}".encode() for k, v in headers.items())
            parts.append(body)
        return b"\n".join(parts)


@dataclass
class Phone:
    device: Device
    guard: PageGuard
    traffic: Traffic

    @property
    def page(self):  # type: ignore[no-untyped-def]
        return self.device.page


class Phones:
    """Opens a fresh phone (browser profile) per call, each watched by a PageGuard."""

    def __init__(self, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
        self.browser = browser
        self.live_server = live_server
        self.opened: list[Phone] = []
        self._contexts: list = []  # type: ignore[type-arg]

    def __call__(self) -> Phone:
        context = self.browser.new_context(base_url=self.live_server, viewport=VIEWPORT)
        self._contexts.append(context)
        traffic = Traffic()
        context.on("request", traffic.record)
        guard = PageGuard(context.new_page(), self.live_server)
        phone = Phone(Device(guard.page), guard, traffic)
        self.opened.append(phone)
        return phone

    def sent(self) -> bytes:
        """Everything every phone sent: URLs, headers and bodies."""
        return b"\n".join(phone.traffic.as_bytes() for phone in self.opened)

    def close(self) -> None:
        try:
            for phone in self.opened:
                phone.guard.assert_clean()
        finally:
            for context in self._contexts:
                context.close()


@pytest.fixture
def phones(browser, live_server: str) -> Iterator[Phones]:  # type: ignore[no-untyped-def]
    """A delegate's phones; all are closed at the end, and each must have stayed clean (no CSP
    violation, console error or request to another origin)."""
    factory = Phones(browser, live_server)
    yield factory
    factory.close()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted must still be looked at
            self.lines.append(repr(record.__dict__))


@pytest.fixture
def server_log() -> Iterator[list[str]]:
    """Every line the server process logs during the test (root and werkzeug loggers, all
    levels), formatted as a log file would hold them."""
    handler = _Collect()
    loggers = [logging.getLogger(), logging.getLogger("werkzeug")]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


# --- sharing (issue 6): people by role, and a phone whose camera films a QR code -------------

@dataclass
class Camera:
    """Chromium's fake camera: it plays `path` (a y4m video), read afresh each time the page
    starts the camera — so a test can choose what it films right before "Scan code"."""

    path: Path

    def shows(self, text: str) -> None:
        from tests.support.fake_camera import write_y4m

        write_y4m(self.path, text)


class CameraPhones(Phones):
    """Phones of a browser with a fake camera and no permission prompt."""

    camera: Camera


@pytest.fixture
def camera_phones(browser_type, live_server: str, tmp_path: Path) -> Iterator[CameraPhones]:  # type: ignore[no-untyped-def]
    """Like `phones`, in a Chromium whose camera films `camera_phones.camera` (a blank code until
    the test says what it shows); each phone must stay clean."""
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    camera = Camera(tmp_path / "camera.y4m")
    camera.shows("nothing to see yet")
    browser = browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera.path}"])
    factory = CameraPhones(browser, live_server)
    factory.camera = camera
    try:
        yield factory
    finally:
        try:
            factory.close()
        finally:
            browser.close()
