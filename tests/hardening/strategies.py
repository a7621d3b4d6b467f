"""Hypothesis strategies for hostile input: JSON values and raw bodies, ids and tokens that are
almost right, and mutations of real, valid requests (so the fuzz reaches the services, not only
the first shape check).

What an attacker controls at the HTTP boundary: the path, the query, the headers and the body.
The body is either raw bytes (malformed JSON, odd encodings, deep nesting) or JSON whose every
leaf may be the wrong type, a huge number, a lone surrogate or an oversized string.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

# Unicode that has broken parsers before: NUL, a lone surrogate (not Unicode text at all), BOM,
# RTL override, combining marks, a character NFKC expands 18-fold, astral and non-characters.
NASTY_CHARS = ["\x00", "\ud800", "\udfff", "\ufeff", "\u202e", "\u0301", "\ufdfa", "\U0001f4a5",
               "\uffff", "\U0010ffff", "\x7f", "\u2028", "é", "ﬀ", "İ"]
# Lengths just under and over the limits the server documents (card 1024, wrap 1024, text 256,
# b64u fields 4096 bytes → 5462 characters, a raw username 128).
LIMITS = [0, 1, 22, 43, 86, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 5461, 5462, 5463]
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

huge_ints = st.sampled_from([-1, 0, 1, 2**31, 2**53 - 1, 2**53, 2**63, 2**64, -2**63, 10**40,
                             -10**40, 10**300])
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(NASTY_CHARS), max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from(["A", "é", "\ud800", "=", "0"]),
              st.sampled_from(LIMITS)),
)
leaves = st.one_of(st.none(), st.booleans(), st.integers(), huge_ints,
                   st.floats(allow_nan=False, allow_infinity=False), texts)
json_values = st.recursive(
    leaves,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(texts, children, max_size=4)),
    max_leaves=12,
)


def nested(depth: int, inner: str = "") -> str:
    """``[[…inner…]]`` ``depth`` deep: how a body exhausts a recursive parser."""
    return "[" * depth + inner + "]" * depth


def b64u_text(n: int) -> str:
    return "".join(B64_ALPHABET[(i * 7 + n) % 64] for i in range(n))


# Ids, keys and tokens: the right length, one off, padded, non-canonical trailing bits, foreign
# characters, or anything at all.
id_texts = st.one_of(
    st.sampled_from(["A" * 22, "A" * 21 + "B", "A" * 22 + "==", "A" * 21, "A" * 23, "A" * 43,
                     "A" * 42 + "B", "A" * 44, "A" * 86, "+" * 22, "/" * 22, "", "%00", "..",
                     "A" * 300, "A" * 21 + "\u00e9", "A" * 21 + "\ud800"]),
    st.text(alphabet=st.sampled_from(B64_ALPHABET + "=+/. \x00é"), max_size=90),
    st.builds(b64u_text, st.sampled_from([21, 22, 23, 42, 43, 44, 85, 86, 87, 107, 108])),
)


def _raw_variants(value: Any) -> list[bytes]:
    return [json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode(
        "utf-8", "surrogatepass")]


@st.composite
def raw_bodies(draw: st.DrawFn, template: Any = None) -> bytes:
    """Raw request bytes: broken JSON, odd encodings, duplicate keys, NaN, deep nesting, or a
    (mutated) template serialised with and without escapes."""
    kind = draw(st.sampled_from(["junk", "truncated", "duplicate", "constant", "deep", "encoding",
                                 "value"]))
    base = json.dumps(template if template is not None else draw(json_values)).encode()
    if kind == "junk":
        return draw(st.binary(max_size=200))
    if kind == "truncated":
        return base[:draw(st.integers(0, max(0, len(base) - 1)))]
    if kind == "duplicate" and base.startswith(b"{") and len(base) > 2:
        # The first member again: two parsers could disagree about which one counts.
        first = base[1:].split(b",", 1)[0].rstrip(b"}")
        return b"{" + first + b"," + base[1:]
    if kind == "constant":
        return draw(st.sampled_from([b"NaN", b'{"a":NaN}', b'{"a":Infinity}', b'{"a":-Infinity}',
                                     b'{"a":1e999}', b'{"a":-0}', b'{"a":1E+2}', b"\xef\xbb\xbf{}"]))
    if kind == "deep":
        depth = draw(st.sampled_from([100, 900, 950, 970, 990, 1000, 1100, 5000, 100000]))
        inner = draw(st.sampled_from(["", "{}", '"\\ud800"', "1e999"]))
        return f'{{"records":{nested(depth, inner)}}}'.encode()
    if kind == "encoding":
        text = base.decode()
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]))
        return text.encode(codec, "replace")
    return draw(st.sampled_from(_raw_variants(draw(json_values))))


def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value a mutation can hit (the root is ``()``)."""
    slots = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            slots += _slots(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            slots += _slots(item, (*path, i))
    return slots


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def mutated(draw: st.DrawFn, template: Any, *, replacement: st.SearchStrategy[Any] = json_values
            ) -> Any:
    """``template`` with one to three of its slots replaced, deleted, or given a new member."""
    value = copy.deepcopy(template)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_slots(value)))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if not path:
            if op == "replace":
                value = draw(replacement)
            continue
        parent, key = _get(value, path[:-1]), path[-1]
        if op == "replace":
            parent[key] = draw(replacement)
        elif op == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(texts)] = draw(replacement)
        else:
            parent.append(draw(replacement))
    return value


# Values a field of a signed header might hold: right-looking and wrong ones.
header_values = st.one_of(
    huge_ints, st.integers(-3, 3), id_texts, st.sampled_from(["sp.record", "sp.alert", "SP1", "",
                                                              None, True, [], {}, 1.5]),
    st.lists(id_texts, max_size=3), st.lists(json_values, max_size=2), json_values,
)

query_values = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "1e9", "+1", " 1", "0x10", "99999999999999999999",
                     "9007199254740991", "9007199254740992", "١٢", "%00", "1.0", "NaN"]),
    st.integers(-10, 10**20).map(str),
    st.text(max_size=20),
)
