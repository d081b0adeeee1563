"""Static images of plotly figures (PNG, SVG, PDF) through kaleido, for slides and reports.

kaleido 1.x drives a headless Chromium. Starting one costs about 2 s, a render about 0.2 s, so one
browser is started on first use and reused for every later image of the process (dashboard or
briefing pack); it runs on its own event-loop thread, so callers stay synchronous and several
threads (Streamlit download callbacks) can share it. No Streamlit here.
"""
import asyncio
import atexit
import functools
import html
import logging
import math
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from etl import config

# 16:9 at 2× resolution: 2560×1440 pixels in a PNG, a whole slide without rescaling.
WIDTH, HEIGHT, SCALE = 1280, 720, 2
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DEBIAN_CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT_S = 60
RENDER_TIMEOUT_S = 90

# What users read (no command, no path); the operator's fix goes to the log and the CLI.
BROWSER_MISSING = (
    "Máy chủ chưa có trình duyệt để xuất ảnh biểu đồ (PNG, SVG, PDF); hãy báo quản trị hệ thống. "
    "Các tệp Excel và CSV vẫn tải được bình thường.")
OPERATOR_HINT = ("Cài gói Debian «chromium» (apt-get install chromium) hoặc đặt biến môi trường "
                 "BROWSER_PATH tới một Chromium.")
NO_IMAGE = ("Không tạo được ảnh biểu đồ trên máy chủ; hãy thử lại, nếu lỗi còn thì báo quản trị hệ "
            "thống. Các tệp Excel và CSV vẫn tải được bình thường.")
log = logging.getLogger("danvan")


class ExportError(RuntimeError):
    """An image could not be made; the message is Vietnamese and meant for the user."""


class BrowserMissing(ExportError):
    pass


def find_browser() -> str | None:
    """The Chromium kaleido will drive: $BROWSER_PATH, Debian's chromium, or one on PATH."""
    env = config.get("BROWSER_PATH")
    if env:
        return env if Path(env).is_file() else None
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def browser_available() -> bool:
    return find_browser() is not None


class _Session:
    """One Kaleido browser on a private event loop thread."""

    def __init__(self, browser: str):
        import kaleido  # imported late: it starts nothing, but costs ~0.3 s

        self._kaleido = kaleido
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="kaleido-export")
        self.thread.start()
        try:
            self.k = self._run(self._open(browser), START_TIMEOUT_S)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    async def _open(self, browser: str):
        # mathjax=False: no formulas in our charts, and no fetch from a CDN (offline servers).
        k = self._kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT_S, mathjax=False, path=browser)
        await k.open()
        return k

    def _run(self, coro, timeout: float):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def render(self, fig_dict: dict, opts: dict) -> bytes:
        return self._run(self.k.calc_fig(fig_dict, opts=opts), RENDER_TIMEOUT_S + 5)

    def close(self) -> None:
        try:
            self._run(self.k.close(), 15)
        except Exception:  # noqa: BLE001 - closing a dead browser is not worth an error
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


_session: _Session | None = None
_lock = threading.Lock()


def _get_session() -> _Session:
    global _session
    with _lock:
        if _session is None:
            browser = find_browser()
            if browser is None:
                log.warning("no browser for chart images: %s", OPERATOR_HINT)
                raise BrowserMissing(BROWSER_MISSING)
            try:
                _session = _Session(browser)
            except Exception as exc:
                log.error("the image browser %s did not start", browser, exc_info=exc)
                raise ExportError(NO_IMAGE) from exc
        return _session


def warm() -> None:
    """Start the export browser now (serve.py's start-up), so the first download does not wait
    for it."""
    _get_session()


def close() -> None:
    """Stop the export browser (it is started again on the next image)."""
    global _session
    with _lock:
        if _session is not None:
            _session.close()
            _session = None


atexit.register(close)


def export_layout(fig: go.Figure | dict, width: int = WIDTH, height: int = HEIGHT) -> dict:
    """The figure as a dict sized for a 16:9 slide (the screen height is dropped)."""
    d = fig.to_plotly_json() if isinstance(fig, go.Figure) else dict(fig)
    d = {"data": d.get("data", []), "layout": dict(d.get("layout", {}))}
    d["layout"].update(width=width, height=height, paper_bgcolor="white")
    # At slide height a panel title (compare chart) would touch the subtitle: a little more room.
    margin = dict(d["layout"].get("margin") or {})
    margin["t"] = max(margin.get("t") or 0, 115)
    d["layout"]["margin"] = margin
    return d


def to_image(fig: go.Figure | dict, fmt: str = "png", width: int = WIDTH, height: int = HEIGHT,
             scale: float = SCALE) -> bytes:
    """PNG, SVG or PDF bytes of a figure, 16:9 by default (PNG at 2× resolution)."""
    return _render(export_layout(fig, width, height), fmt, width, height, scale)


def _render(fig_dict: dict, fmt: str, width: int, height: int, scale: float) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng ảnh không hỗ trợ: {fmt}")
    session = _get_session()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    try:
        return session.render(fig_dict, opts)
    except Exception as exc:
        # A crashed browser is replaced on the next call instead of failing forever.
        close()
        log.error("a %s chart image failed", fmt, exc_info=exc)
        raise ExportError(NO_IMAGE) from exc


# ---------------------------------------------------------------- images placed at a known size
# A slide or a page shows an image at a physical width, so the size its text prints at is a
# matter of arithmetic, not of taste: see printed_pt and min_font_px.

PT_PER_INCH = 72
PIXELS = 2560           # pixels across a placed PNG: sharp on a projector and in print


@dataclass(frozen=True)
class Placement:
    """Where an image goes: the width it is placed at (inches) and the smallest text it must
    print there (points)."""
    width_in: float
    min_pt: float


def printed_pt(font_px: float, layout_px: float, width_in: float) -> float:
    """The size a font of the layout prints at. A font of f px in a layout layout_px wide fills
    f / layout_px of the image's width; placed width_in inches (72 pt each) wide, that is
    f × 72 × width_in / layout_px points. The PNG's pixel count (scale) does not enter."""
    return font_px * PT_PER_INCH * width_in / layout_px


def min_font_px(layout_px: float, placements) -> int:
    """The smallest font, in px of the layout, that prints at least min_pt at every placement:
    printed_pt solved for f, rounded up. The one rule behind every text of a placed image."""
    return math.ceil(max(p.min_pt * layout_px / (PT_PER_INCH * p.width_in) for p in placements)
                     - 1e-9)


def placed_size(width_in: float, height_in: float) -> tuple[int, int]:
    """The layout size (px) of an image for a box width_in × height_in: 72 px per inch, so there
    one px prints as one pt and the charts' pixel margins keep their meaning."""
    return round(PT_PER_INCH * width_in), round(PT_PER_INCH * height_in)


def placed_image(fig_dict: dict, width_in: float, height_in: float, fmt: str = "png") -> bytes:
    """A figure laid out at placed_size(width_in, height_in) (fonts set by min_font_px, see
    etl.briefing.layout), drawn PIXELS wide."""
    width, height = placed_size(width_in, height_in)
    return _render(fig_dict, fmt, width, height, PIXELS / width)


# ---------------------------------------------------------------- text measured in Arial
# The charts ask for Arial and the slides set Arial; where it is missing, Chromium and
# LibreOffice draw Liberation Sans, made with Arial's metrics. So its widths are the real ones.

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/liberation")
FALLBACK_EM = 0.62      # wider than Arial's widest common letters: errs toward one more line


@functools.lru_cache(maxsize=2)
def _font(bold: bool):
    from PIL import ImageFont

    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    for folder in FONT_DIRS:
        if (Path(folder) / name).is_file():
            return ImageFont.truetype(str(Path(folder) / name), 1000)
    return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of Arial text at size, in size's unit (px or pt); plotly's tags
    (<b>, <br>) and entities (&amp;) are read as what they draw."""
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    font = _font(bold)
    if font is None:
        return len(text) * FALLBACK_EM * size
    return font.getlength(text) * size / 1000


def wrap_text(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of at most width (a word longer than a line keeps a line of its own); the breaks
    already in the text (<br>, newline) stay."""
    lines = []
    for part in re.split(r"<br\s*/?>|\n", text):
        line = ""
        for word in part.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines
