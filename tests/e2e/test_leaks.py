"""The leak search itself finds what it looks for: a secret hidden in any of its encodings,
anywhere in a longer stream (so a clean result in the sync tests means something)."""
from __future__ import annotations

import base64
import json
import secrets

import pytest

from tests.e2e.leaks import encodings, find_leaks

SECRET = "canary-" + secrets.token_hex(8) + "-عصفور"


@pytest.mark.parametrize("offset", range(6))
@pytest.mark.parametrize("wrap", [base64.b64encode, base64.urlsafe_b64encode])
def test_base64_of_a_secret_inside_other_bytes_is_found_at_every_alignment(offset: int, wrap) -> None:  # type: ignore[no-untyped-def]
    for raw in (SECRET.encode(), SECRET.encode("utf-16-le")):
        stream = wrap(secrets.token_bytes(offset) + raw + secrets.token_bytes(5))
        assert find_leaks(stream, {"canary": SECRET}), (offset, raw)


def test_every_other_encoding_is_found_and_random_bytes_are_clean() -> None:
    noise = secrets.token_bytes(4096)
    for form, needle in encodings(SECRET).items():
        assert find_leaks(noise[:100] + needle + noise[100:], {"canary": SECRET}), form
    assert find_leaks(json.dumps({"x": SECRET}).encode(), {"canary": SECRET})
    assert "\\u0639" in json.dumps(SECRET) and find_leaks(json.dumps(SECRET).encode(), {"c": SECRET})
    assert find_leaks(noise, {"canary": SECRET}) == []
