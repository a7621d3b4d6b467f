"""Every screen has short help in every language, except the ones that must look like nothing.

The screens are read from the SCREENS registry of pwa/js/main.js and the rules from
pwa/js/ui/help.js (NO_HELP, PARTS), so a screen added there without its help, or help left behind
for a screen that is gone, fails here. The key shape is in docs/languages-contract.md."""
from __future__ import annotations

import re

import pytest

from server.config import ROOT
from tests.support.languages import LANGUAGES, SOURCE, catalog

MAIN = (ROOT / "pwa" / "js" / "main.js").read_text()
HELP_JS = (ROOT / "pwa" / "js" / "ui" / "help.js").read_text()


def _screens() -> dict[str, str]:
    """name -> the rest of its SCREENS entry ("{ build: …, unlocked: true, … }")."""
    block = re.search(r"^const SCREENS = \{\n(.*?)^\};", MAIN, re.S | re.M)
    assert block, "pwa/js/main.js: const SCREENS = { … }; not found"
    found = dict(re.findall(r"^\s+(\w+): (\{ build: .*\}),$", block.group(1), re.M))
    assert found, "pwa/js/main.js: no screen in SCREENS"
    return found


def _strings(name: str) -> list[str]:
    """The string literals of a constant of help.js (NO_HELP's set, PARTS's list)."""
    match = re.search(rf"export const {name} = Object\.freeze\((.*?)\);\n", HELP_JS, re.S)
    assert match, f"pwa/js/ui/help.js: {name} not found"
    return re.findall(r'"([\w-]+)"', match.group(1))


SCREENS = _screens()
NO_HELP = set(_strings("NO_HELP"))
PARTS = _strings("PARTS")
WITH_HELP = sorted(set(SCREENS) - NO_HELP)
ENGLISH = catalog(SOURCE)


def help_keys(screen: str) -> list[str]:
    return [f"help.{screen}.{part}" for part in PARTS]


def test_the_registry_and_the_rules_are_read() -> None:
    assert len(SCREENS) >= 26 and {"create", "unlock", "list", "neutral", "inbox", "case"} <= set(SCREENS)
    assert PARTS == ["what", "how", "safety"]
    assert NO_HELP and NO_HELP <= set(SCREENS), NO_HELP - set(SCREENS)


def test_quick_exits_screen_and_every_other_neutral_screen_have_no_help() -> None:
    neutral = {name for name, spec in SCREENS.items() if "neutral: true" in spec}
    assert "neutral" in neutral
    assert neutral <= NO_HELP, f"screens flagged neutral in main.js need to be in help.js NO_HELP: {neutral - NO_HELP}"
    for code in LANGUAGES:
        assert [key for key in catalog(code) if key.startswith("help.") and key.split(".")[1] in NO_HELP] == [], code


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_screen_has_its_help_in_every_catalog(code: str) -> None:
    words = catalog(code)
    missing = [key for screen in WITH_HELP for key in ["help.summary", *help_keys(screen)]
               if not str(words.get(key, "")).strip()]
    assert missing == [], f"{code}: {missing}"


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_no_help_key_is_orphaned(code: str) -> None:
    wanted = {"help.summary"} | {key for screen in WITH_HELP for key in help_keys(screen)}
    orphans = [key for key in catalog(code) if key.startswith("help.") and key not in wanted]
    assert orphans == [], f"{code}: help for no screen (or a part help.js does not show): {orphans}"


def test_english_help_is_short_and_plain() -> None:
    """2 to 4 short sentences, under 60 words a screen; the label a word or two."""
    assert len(ENGLISH["help.summary"].split()) <= 2
    for screen in WITH_HELP:
        text = " ".join(ENGLISH[key] for key in help_keys(screen))
        sentences = len(re.findall(r'[.!?]["”»]?(?=\s|$)', text))
        assert 2 <= sentences <= 4, (screen, sentences, text)
        assert len(text.split()) <= 60, (screen, len(text.split()))
        assert "{" not in text and "<" not in text, screen


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_help_never_says_more_than_the_screen(code: str) -> None:
    """Someone may be reading over the delegate's shoulder: help never names the app (she may have
    given it a neutral name) nor the duress passphrase (a feature a screen may hide)."""
    words = catalog(code)
    giveaways = [ENGLISH["app.name"], words["duress.title"], ENGLISH["duress.title"], "duress"]
    for key, text in words.items():
        if key.startswith("help."):
            said = [word for word in giveaways if word.casefold() in text.casefold()]
            assert said == [], (code, key, said)
    # The label stays short in every language: one word or two.
    assert len(words["help.summary"]) <= 16, words["help.summary"]
