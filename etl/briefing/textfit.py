"""Text that fits its box: measured in Arial (figures.text_width), wrapped word by word as
PowerPoint and LibreOffice wrap, set in the largest size that fits, else carried on to the next
box (a slide «(tiếp)»). Text is never cut: what does not fit goes on.

A box is (width, height) in inches; its text is a list of paragraphs (text, bold). pptx.py sets
the insets, the line pitch and the space after each paragraph to the values below, so the height
measured here is the height drawn.
"""
from etl.present import figures

PT_PER_INCH = 72
INSET_X, INSET_Y = 0.1, 0.05    # in: a text box's left/right and top/bottom insets
LINE = 1.2                      # line pitch, × the font size (set exactly, in pt)
SPACE_AFTER = 0.45              # space after a paragraph, × the font size
CONTINUED = "…"                 # marks both ends of a paragraph split between two boxes


def text_room(box) -> tuple[float, float]:
    """The width and height (pt) a box leaves its text."""
    w, h = box
    return (w - 2 * INSET_X) * PT_PER_INCH, (h - 2 * INSET_Y) * PT_PER_INCH


def lines_of(text: str, width_pt: float, size: float, bold: bool = False) -> list[str]:
    return figures.wrap_text(text, width_pt, size, bold)


def height_pt(paragraphs, width_pt: float, size: float) -> float:
    """The height of paragraphs set at size in a column width_pt wide."""
    n = sum(len(lines_of(t, width_pt, size, b)) for t, b in paragraphs)
    return n * size * LINE + max(0, len(paragraphs) - 1) * size * SPACE_AFTER


def best_size(paragraphs, box, sizes) -> float | None:
    """The largest of sizes at which all paragraphs fit box, or None."""
    width, height = text_room(box)
    for size in sorted(sizes, reverse=True):
        if height_pt(paragraphs, width, size) <= height:
            return size
    return None


def take(paragraphs, box, size: float) -> tuple[list, list]:
    """What fits box at size (at least something) and the rest, in order. Only a paragraph taller
    than an empty box is split between lines, both parts marked CONTINUED."""
    width, height = text_room(box)
    taken, used = [], 0.0
    rest = list(paragraphs)
    while rest:
        text, bold = rest[0]
        gap = size * SPACE_AFTER if taken else 0.0
        need = gap + len(lines_of(text, width, size, bold)) * size * LINE
        if used + need <= height:
            taken.append(rest.pop(0))
            used += need
            continue
        if taken:                       # whole paragraphs read better: it opens the next box
            break
        # Taller than an empty box: as many lines as fit here, the rest in the next box.
        head, tail = _split(text, width, size, bold, max(1, int(height // (size * LINE))))
        taken.append((head, bold))
        if tail:
            rest[0] = (tail, bold)
        else:
            rest.pop(0)
        break
    return taken, rest


def _split(text: str, width: float, size: float, bold: bool, n_lines: int) -> tuple[str, str]:
    """text's first n_lines (with the CONTINUED mark) and the rest (opening with it)."""
    words = text.split()
    if len(words) < 2:                  # one word wider than a box: nothing to split
        return text, ""
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n]) + " " + CONTINUED
        if len(lines_of(head, width, size, bold)) <= n_lines:
            return head, CONTINUED + " " + " ".join(words[n:])
    return words[0] + " " + CONTINUED, CONTINUED + " " + " ".join(words[1:])
