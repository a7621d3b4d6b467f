"""The app's languages as pwa/js/i18n.js declares them (one list, read from the source, so a
language added there is tested everywhere at once), and their message catalogs."""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "pwa" / "i18n"


def _declared() -> dict[str, str]:
    source = (ROOT / "pwa" / "js" / "i18n.js").read_text()
    block = re.search(r"export const LANGUAGES = Object\.freeze\(\{(.*?)\n\}\);", source, re.S)
    assert block, "pwa/js/i18n.js: LANGUAGES = Object.freeze({ … }) not found"
    found = dict(re.findall(r'^\s+(\w+): \{ dir: "(ltr|rtl)"', block.group(1), re.M))
    assert found, "pwa/js/i18n.js: no language in LANGUAGES"
    return found


#: code -> "ltr" | "rtl", in the picker's order.
LANGUAGES: dict[str, str] = _declared()
SOURCE = "en"


def catalog_path(code: str) -> Path:
    return I18N / f"{code}.json"


def catalog(code: str) -> dict[str, str]:
    return json.loads(catalog_path(code).read_text(encoding="utf-8"))


def present() -> list[str]:
    """The declared languages whose catalog is on disk (all of them once every translator is done)."""
    return [code for code in LANGUAGES if catalog_path(code).exists()]


def endonym(code: str) -> str:
    """The language's own name, as the picker shows it in every language."""
    return catalog(SOURCE)[f"language.{code}"]
