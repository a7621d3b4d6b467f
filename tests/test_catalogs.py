"""Every language the app offers has a complete catalog in the shape of docs/languages-contract.md:
English's keys in English's order, the same placeholders, all six plural forms, nothing empty, and
nothing left in English by mistake. The languages come from pwa/js/i18n.js's LANGUAGES, so a
language added there without its catalog fails here (the app itself would fall back to English)."""
from __future__ import annotations

import re

import pytest

from tests.support.languages import LANGUAGES, SOURCE, catalog, catalog_path

PLACEHOLDER = re.compile(r"\{(\w+)\}")
FORMS = ("zero", "one", "two", "few", "many", "other")
ENGLISH = catalog(SOURCE)
# Families of plural forms: "count.*" and the few sentences that carry a count (inbox.rejected.*).
PLURAL_BASES = {key.rsplit(".", 1)[0] for key in ENGLISH
                if key.startswith("count.") or key.endswith(".zero") or key.endswith(".many")}

# Values that are the same in every language: the app's name (the disguise names are translated),
# the endonyms in the picker, and technical tokens.
ENDONYMS = {key for key in ENGLISH if re.fullmatch(r"language\.[a-z]{2,3}", key)}
SAME_EVERYWHERE = {"app.name", "appearance.standard", "bundle.report.sha256", "check.state.ok",
                   "integrity.state.ok", *ENDONYMS}
# Words a language really writes as English does (checked by the translator, listed here so that
# any other identical value is caught as "not translated yet").
SAME_IN = {
    "id": {"inbox.filter.status", "report.status.title", "report.status", "bundle.report.status",
           "integrity.check.attachment", "bundle.report.file"},
    # Everyday Filipino as migrant workers write it keeps these English words (Taglish): the
    # translator's choice, to be confirmed by a native reviewer (docs/guides/fil/NOTES.md).
    "fil": {"session.label", "create.passphrase", "kit.secret", "unlock.passphrase", "backup.title",
            "nav.sync", "enrol.username", "signin.username", "signin.passphrase", "signin.secret",
            "sync.title", "sync.account", "count.attachments.one", "count.devices.one", "nav.inbox",
            "nav.checkin", "role.focal-point", "verify.number", "inbox.title", "inbox.filter.status",
            "report.status.title", "report.status", "integrity.check.attachment", "working.title",
            "checkin.title", "count.contacts.one", "bundle.report.status", "bundle.report.file"},
}

# Forms of a count that stand for exactly one number in the language (CLDR plural rules), where
# the sentence may say the number in words ("one record", Arabic "سجلان" for two) and leave {n}
# out. "zero" and "two" are only ever picked by Arabic, for 0 and 2; elsewhere they are copies of
# "other". Filipino's and Bengali's "one" cover other numbers too, so they must keep {n}.
WORDED = {code: {"zero", "two"} for code in LANGUAGES} | {
    "en": {"zero", "two"}, "ar": {"zero", "one", "two"}, "ne": {"zero", "one", "two"},
    "ur": {"zero", "one", "two"}, "id": {"zero", "one", "two"},
}


def words(text: str) -> str:
    """What a value says outside its placeholders."""
    return PLACEHOLDER.sub("", text)


def test_english_has_all_six_forms_of_every_count() -> None:
    assert PLURAL_BASES
    for base in sorted(PLURAL_BASES):
        assert [f"{base}.{form}" in ENGLISH for form in FORMS] == [True] * 6, base


def test_every_language_of_the_picker_has_its_endonym_in_english() -> None:
    assert list(LANGUAGES)[0] == SOURCE
    assert all(f"language.{code}" in ENGLISH for code in LANGUAGES)


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != SOURCE])
def test_catalog_is_complete_and_in_the_contracts_shape(code: str) -> None:
    path = catalog_path(code)
    assert path.exists(), f"{path.relative_to(path.parents[2])} is missing: LANGUAGES in pwa/js/i18n.js lists {code}"
    text = path.read_text(encoding="utf-8")
    translated = catalog(code)

    # Exactly English's keys, in English's order, in the format json.dumps(indent=2) writes.
    assert [k for k in translated if k not in ENGLISH] == [], "keys English does not have"
    assert [k for k in ENGLISH if k not in translated] == [], "keys missing"
    assert list(translated) == list(ENGLISH), "keys out of English's order"
    assert text.endswith("}\n") and '\n  "' in text, "two-space indent, one key a line, trailing newline"

    problems: list[str] = []
    for key, english in ENGLISH.items():
        value = translated[key]
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: empty")
            continue
        if value != value.strip() and english == english.strip():
            problems.append(f"{key}: spaces around the text")
        # Placeholders: spelled as in English, nothing else in braces; {n} may be said in words
        # only in a form that means exactly one number.
        theirs, ours = set(PLACEHOLDER.findall(english)), set(PLACEHOLDER.findall(value))
        if ours - theirs:
            problems.append(f"{key}: unknown placeholders {sorted(ours - theirs)}")
        dropped = theirs - ours
        base, _, form = key.rpartition(".")
        if dropped and not (dropped == {"n"} and base in PLURAL_BASES and form in WORDED[code]):
            problems.append(f"{key}: placeholders left out {sorted(dropped)}")
        if re.sub(PLACEHOLDER, "", value).count("{") or re.sub(PLACEHOLDER, "", value).count("}"):
            problems.append(f"{key}: a brace that is not a placeholder")
        if "<" in value and re.search(r"</?[a-zA-Z]", value):
            problems.append(f"{key}: markup")
        # Left in English by mistake (a value with no words at all, like "{name}, {date}", is
        # the same in every language).
        allowed = key in SAME_EVERYWHERE or key in SAME_IN.get(code, set()) or not re.search(r"[A-Za-z]", words(english))
        if value == english and not allowed:
            problems.append(f"{key}: same as English ({english!r})")
    # The endonyms and the app's name are the same in every catalog.
    for key in sorted({"app.name", *ENDONYMS}):
        if translated[key] != ENGLISH[key]:
            problems.append(f"{key}: must stay {ENGLISH[key]!r} (docs/languages-contract.md)")
    assert problems == [], "\n".join(problems)
