"""A tiny TCP proxy between a client and the server that can fail on purpose.

Stdlib sockets and two pump threads per connection. It counts the bytes it forwards in each
direction (across all connections) and can be armed with one ``Trigger`` at a time:

- ``Trigger("up", n)``: forward exactly ``n`` more client→server bytes, then fire. A request
  body is cut in the middle (the server sees a short body; nothing of it may be committed).
- ``Trigger("down", n, gate=g)``: once ``g`` more client→server bytes have passed, forward
  exactly ``n`` more server→client bytes, then fire. With ``n = 0`` the response to the request
  holding byte ``g`` is withheld entirely: the server has done the work (committed) and the
  client never hears of it — the case idempotency keys exist for.

Firing runs the trigger's ``action`` (e.g. SIGKILL the server) and then cuts the connection that
hit the offset: both sockets are shut down, so the client sees a reset or a short response.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

BUFSIZE = 65536


@dataclass
class Trigger:
    direction: str  # "up" (client→server) or "down" (server→client)
    after: int  # bytes still to forward in that direction before firing
    gate: int = 0  # "down" only: client→server bytes that must pass before counting starts
    action: Callable[[], None] | None = None  # runs before the cut (e.g. kill the server)
    fired: threading.Event = field(default_factory=threading.Event)


class _Pair:
    """One client connection and its upstream connection."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self._closed = False
        self._pumps = 2  # the pump threads still running; the last one closes the sockets
        self._lock = threading.Lock()

    def cut(self) -> None:
        # shutdown() wakes a recv() blocked in the other pump thread; close() alone would not.
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for s in (self.client, self.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def pump_done(self) -> None:
        self.cut()
        with self._lock:
            self._pumps -= 1
            last = self._pumps == 0
        if last:
            for s in (self.client, self.upstream):
                s.close()


class FaultProxy:
    """Listens on 127.0.0.1 (ephemeral port) and forwards to ``target_port``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.bytes_up = 0
        self.bytes_down = 0
        self.cuts = 0  # connections cut by a trigger
        self._trigger: Trigger | None = None
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._accept_thread = threading.Thread(target=self._accept, name="proxy-accept",
                                               daemon=True)
        self._accept_thread.start()

    # -- control -------------------------------------------------------------------------------

    def arm(self, trigger: Trigger) -> Trigger:
        with self._lock:
            self._trigger = trigger
        return trigger

    def disarm(self) -> Trigger | None:
        with self._lock:
            trigger, self._trigger = self._trigger, None
        return trigger

    def cut_all(self) -> None:
        """Cut every open connection (e.g. after the server was killed behind our back)."""
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            pair.cut()

    def close(self) -> None:
        self._stopping = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._accept_thread.join(5)
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            pair.cut()
        for t in list(self._threads):
            t.join(5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pumping -------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                # The server is down (killed, restarting): refuse like it would.
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self._threads = [t for t in self._threads if t.is_alive()]
                for src, dst, direction in ((client, upstream, "up"), (upstream, client, "down")):
                    t = threading.Thread(target=self._pump, args=(pair, src, dst, direction),
                                         name=f"proxy-{direction}", daemon=True)
                    self._threads.append(t)
                    t.start()

    def _pump(self, pair: _Pair, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while True:
                try:
                    data = src.recv(BUFSIZE)
                except OSError:
                    break
                if not data:
                    break
                forward, fire = self._take(direction, data)
                if forward:
                    try:
                        dst.sendall(forward)
                    except OSError:
                        break
                if fire is not None:
                    if fire.action is not None:
                        fire.action()
                    self.cuts += 1
                    fire.fired.set()
                    break
        finally:
            # One side ended (or a trigger fired): end the other too. HTTP clients never
            # half-close, so nothing useful is lost.
            with self._lock:
                self._pairs.discard(pair)
            pair.pump_done()

    def _take(self, direction: str, data: bytes) -> tuple[bytes, Trigger | None]:
        """How much of ``data`` to forward, and the trigger that fires after it (if any)."""
        with self._lock:
            trigger = self._trigger
            if trigger is not None and direction == "up" and trigger.direction == "down":
                trigger.gate -= len(data)
            if trigger is not None and trigger.direction == "down" and trigger.gate > 0:
                forward, trigger = data, None
            elif trigger is not None and trigger.direction == direction:
                if len(data) >= trigger.after:
                    forward = data[: trigger.after]
                    self._trigger = None
                else:
                    forward = data
                    trigger.after -= len(data)
                    trigger = None
            else:
                forward, trigger = data, None
            if direction == "up":
                self.bytes_up += len(forward)
            else:
                self.bytes_down += len(forward)
        return forward, trigger
