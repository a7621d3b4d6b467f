"""Request bodies for the Flask test client that behave like a network connection would."""
from __future__ import annotations

import io


class _Body(io.RawIOBase):
    # The test client asks where a stream starts; these bodies always start at 0.
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return 0

    def seek(self, _offset: int, _whence: int = 0) -> int:
        return 0


class ExplodingStream(_Body):
    """A body that fails the test if the server reads a byte of it."""

    def readinto(self, _buffer) -> int:  # type: ignore[no-untyped-def]
        raise AssertionError("the server read a body it should have refused unread")


class CutStream(_Body):
    """A body that ends (the connection drops) after ``n`` of its bytes."""

    def __init__(self, data: bytes, n: int) -> None:
        super().__init__()
        self._data = io.BytesIO(data[:n])

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        return self._data.readinto(buffer)
