"""Writers racing a reader: the check behind every per-account and per-recipient cursor."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def cursors_seen_while_writing(writers: list[Callable[[], None]],
                               read_page: Callable[[int], dict[str, Any]], items: str) -> list[int]:
    """Runs ``writers`` in threads while one reader pages with ``read_page(after)`` until the
    writers are done and a last page says nothing more; returns every cursor it saw, in order.
    Any exception in a thread is raised here."""
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # reported by the calling thread
                errors.append(exc)
        return run

    def read() -> None:
        after = 0
        while True:
            finished = done.is_set()  # read before the page: one more pass after the end
            page = read_page(after)
            seen.extend(item["cursor"] for item in page[items])
            after = page["next"]
            if finished and not page["more"]:
                return

    threads = [threading.Thread(target=guarded(w)) for w in writers]
    reader = threading.Thread(target=guarded(read))
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    reader.join(60)
    if errors:
        raise errors[0]
    return seen
