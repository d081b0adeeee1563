"""Narrative text as reports come out of Word, PDF and OCR: one clean paragraph per line of
thought, and a diacritic-free copy of the same length to match phrases against.

Text out of documents is messy: NFD letters, non-breaking and doubled spaces, soft hyphens, words
and sentences broken across lines and pages ("đo\\nàn thể"). A line break inside a paragraph is a
space, unless the two halves only make sense as one word: their join is a word the document
uses elsewhere while one half is not.
"""
import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u200b]+")
_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^\s*(?:[-–—+*•▪◦]|\d{1,2}[.)]|[a-zđ][.)]|[IVX]{1,4}\.)\s")
# A sentence ends at . ! ? ; followed by a space and a capital, a bullet or a digit; never inside
# a number ("30.575") or an abbreviation followed by a lower-case word.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ0-9\-–+*•“\"(])")


@dataclass(frozen=True)
class Paragraph:
    index: int          # 1-based, as a person counts them
    text: str           # NFC, single spaces
    folded: str         # same length: lower-case, no diacritics, đ → d

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence of the paragraph."""
        spans, start = [], 0
        for m in _SENTENCE_END.finditer(self.text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(self.text)))
        return [(a, b) for a, b in spans if self.text[a:b].strip()]


def fold_keep(text: str) -> str:
    """Lower-case and diacritic-free, one character for one character (so positions agree)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        out.append("d" if base in ("đ", "Đ".lower()) else base)
    return "".join(out)


def _clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line.replace("\u00ad", ""))
    return _SPACES.sub(" ", line).strip()


def _join(lines: list[str], vocabulary: set[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        left = _WORD.findall(text[-12:])
        right = _WORD.findall(line[:12])
        if left and right and text[-1].isalpha() and line[0].isalpha():
            a, b = left[-1].lower(), right[0].lower()
            if (a + b) in vocabulary and not (a in vocabulary and b in vocabulary):
                text += line
                continue
        if text.endswith("-") and line[:1].islower():      # a hyphenated break
            text = text[:-1] + line
            continue
        text += " " + line
    return text


_DIGITS = re.compile(r"\d+")


def _without_running_heads(text: str) -> str:
    """A PDF repeats its header and footer on every page («UBND PHƯỜNG VIỆT HÒA», «Trang 3/12»,
    a lone page number): a line among the first or last two of at least 60 % of the pages
    (digits aside) is dropped there (on the first page only at its foot), so it neither joins a
    sentence nor counts as a mention."""
    pages = text.split("\f")
    if len(pages) < 3:
        return text
    def edges(page):
        lines = [x for x in page.split("\n") if x.strip()]
        return lines[:2] + lines[-2:]
    def key(line):
        return _DIGITS.sub("#", _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip().lower())
    counts: dict[str, int] = {}
    for page in pages:
        for k in {key(x) for x in edges(page)}:
            counts[k] = counts.get(k, 0) + 1
    running = {k for k, n in counts.items() if n >= 0.6 * len(pages) and k}
    if not running:
        return text
    out = []
    for i, page in enumerate(pages):
        lines = page.split("\n")
        kept = [x for x in lines if x.strip()]
        # The first page's header is the report's own (who reports): only its footer goes.
        edge = set(kept[-2:] if i == 0 else edges(page))
        out.append("\n".join(x for x in lines if not (x in edge and key(x) in running)))
    return "\f".join(out)


def paragraphs(raw: str) -> list[Paragraph]:
    """The document's paragraphs: blank lines, page breaks and bullets start a new one; other
    line breaks are joined; running heads and page numbers of PDFs go."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _without_running_heads(text).replace("\f", "\n\n")
    lines = [_clean_line(x) for x in text.split("\n")]
    # Words as the document uses them: not a line's first or last word, which may be a half.
    vocabulary = {w.lower() for x in lines for w in _WORD.findall(x)[1:-1]}
    blocks, current = [], []
    for line in lines:
        if not line:
            # A blank line (or a page break) inside a sentence does not end its paragraph.
            if current:
                blocks.append(current)
            current = []
            continue
        continues = line[:1].islower() or (line[:1].isdigit() and not _BULLET.match(line))
        if not current and blocks and continues and not blocks[-1][-1].endswith(
                (".", ":", ";", "!", "?")):
            current = blocks.pop()
        # A new bullet, a heading in capitals, a table row (cells joined by " | "), or a line after
        # one ending a clause: a new paragraph.
        if current and (_BULLET.match(line) or (line.isupper() and len(line) > 3) or " | " in line
                        or " | " in current[-1] or current[-1].endswith((":", ";"))
                        or current[-1].isupper()):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    out = []
    for i, block in enumerate(blocks, start=1):
        text = _join(block, vocabulary)
        out.append(Paragraph(i, text, fold_keep(text)))
    return out
