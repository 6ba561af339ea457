# cython: language_level=3, annotation_typing=False, binding=True
"""Language codes and script detection.

entityres reads three languages: ``fa`` (Persian of Iran), ``prs`` (Dari of Afghanistan, also
written ``fa-AF``) and ``ar`` (Arabic). Names may also come in any other language code (en, ru, uk,
ps...), which then only tells the script's conventions; ``None`` means "not known".
"""
from __future__ import annotations

import re
from functools import lru_cache

READ_LANGS = ("fa", "prs", "ar")
_ALIASES = {"fa-af": "prs", "fa_af": "prs", "prs-af": "prs", "fa-ir": "fa", "fa_ir": "fa", "per": "fa", "fas": "fa", "ara": "ar"}
_CODE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")  # fullmatch: "fa\n" is no code
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_OR_OTHER_LETTER = re.compile(r"[^\W\d_\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def canonical_lang(lang: str | None) -> str | None:
    """``fa-AF`` → ``prs``, ``ar-EG`` → ``ar``, ``EN`` → ``en``; ``None`` stays ``None``.

    Raises ``ValueError`` for something that is not a language code, so a typo is not silently
    read as "unknown language".
    """
    if lang is None:
        return None
    if not isinstance(lang, str):
        raise ValueError(f"not a language code: {lang!r} (expected fa, prs, fa-AF, ar, or another BCP-47 code)")
    return _canonical(lang)


@lru_cache(maxsize=4096)
def _canonical(lang: str) -> str:
    if not _CODE.fullmatch(lang):
        raise ValueError(f"not a language code: {lang!r} (expected fa, prs, fa-AF, ar, or another BCP-47 code)")
    low = lang.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    base = re.split(r"[-_]", low)[0]
    return _ALIASES.get(base, base)


def is_arabic_script(text: str) -> bool:
    """True when ``text`` has Arabic-script letters and no letters of another script."""
    if text.isascii():  # most words of a Latin gazetteer: no Arabic letter, without a search
        return False
    return bool(ARABIC_LETTER.search(text)) and not _LATIN_OR_OTHER_LETTER.search(text)
