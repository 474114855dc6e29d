"""The summary PDF's look: the site's palette and fonts, and a client's words in them.

Open Sans is embedded for the European, Greek, Cyrillic and Vietnamese letters;
Chinese, Japanese and Korean go in the PDF standard's CJK fonts. Like
``advisor.pdf_layout``, this is imported only where PDFs are built.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import ttf_opensans
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

# The site's palette (static/css/site.css), so the PDF reads like the page.
INK = "#14162b"
INK_SOFT = "#454a63"
MUTED = "#5d627a"
LINE = "#d9dbe6"
WASH = "#f5f6fb"
BRAND = "#3b3fd8"
PATH_COLOURS = {
    "api": ("#1d5fbf", "#e6effc"),
    "fine_tune": ("#8a3ac4", "#f3e9fb"),
    "classical_ml": ("#0f7a52", "#e3f5ec"),
    "hybrid": ("#a4500b", "#fdf0e3"),
}

# Open Sans (the ttf-opensans package) is embedded: unlike the PDF's built-in
# Helvetica, it has the letters of the European languages, Vietnamese, Greek and
# Cyrillic.
FONT = "ConsultSans"
FONT_BOLD = "ConsultSans-Bold"
# Each face by (bold, italic): <b> and <i> in a paragraph pick the matching one.
_FACES: dict[tuple[Literal[0, 1], Literal[0, 1]], tuple[str, str]] = {
    (0, 0): (FONT, "OpenSans-Regular.ttf"),
    (1, 0): (FONT_BOLD, "OpenSans-Bold.ttf"),
    (0, 1): ("ConsultSans-Italic", "OpenSans-Italic.ttf"),
    (1, 1): ("ConsultSans-BoldItalic", "OpenSans-BoldItalic.ttf"),
}
# Chinese, Japanese and Korean names are set in the PDF standard's CJK fonts,
# which every PDF viewer supplies, so nothing as large as a CJK font is embedded.
CJK_FONTS = {
    "ja": "HeiseiKakuGo-W5",
    "ko": "HYGothic-Medium",
    "zh": "STSong-Light",
}


@functools.cache
def fonts_register() -> frozenset[int]:
    """Register the fonts once per process; the code points Open Sans can draw."""
    folder = Path(ttf_opensans.__file__).parent / "ttf"
    faces = [TTFont(name, folder / filename) for name, filename in _FACES.values()]
    for face in faces:
        pdfmetrics.registerFont(face)
    # Only now: registering a font maps each of its family's faces to itself.
    for (bold, italic), (name, _) in _FACES.items():
        addMapping(FONT, bold, italic, name)
        addMapping(FONT_BOLD, bold, italic, name)
    for name in CJK_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return frozenset(faces[0].face.charToGlyph)


def _cjk_language(value: str) -> str:
    """Which CJK font suits a text: kana make it Japanese, hangul Korean."""
    names = {unicodedata.name(char, "") for char in value}
    if any(name.startswith(("HIRAGANA", "KATAKANA")) for name in names):
        return "ja"
    if any(name.startswith("HANGUL") for name in names):
        return "ko"
    return "zh"


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(
        ("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "FULLWIDTH")
    )


def text(value: str) -> str:
    """A client's words as paragraph markup: escaped, and set in a font that has them.

    Runs of Chinese, Japanese or Korean go in a CJK font; anything else Open Sans
    lacks (Arabic, Hebrew, Indic scripts) still shows as missing-glyph boxes.
    """
    covered = fonts_register()
    if all(ord(char) in covered for char in value):
        return escape(value)
    font = CJK_FONTS[_cjk_language(value)]
    parts: list[str] = []
    run: list[str] = []
    run_is_cjk = False
    for char in value:
        is_cjk = ord(char) not in covered and _is_cjk(char)
        if run and is_cjk != run_is_cjk:
            parts.append(_run(run, font if run_is_cjk else None))
            run = []
        run.append(char)
        run_is_cjk = is_cjk
    if run:
        parts.append(_run(run, font if run_is_cjk else None))
    return "".join(parts)


def _run(chars: list[str], font: str | None) -> str:
    escaped = escape("".join(chars))
    return f'<font name="{font}">{escaped}</font>' if font else escaped
