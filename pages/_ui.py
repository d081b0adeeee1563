"""Safe output for the pages: user text as literal text, uploads, unexpected errors.

Streamlit renders the text of st.markdown, st.caption, alerts, titles and button labels as
Markdown: a file name holding `[link](https://…)` or `![](http://…/pixel.png)` would put a live
link or a tracking image in front of a leader. Anything a person typed or uploaded (file names,
comments, names of people, units and models, cell contents) goes through esc() before it joins
such a text; tables (st.dataframe) and widget options show text as it is and need nothing.
"""
import re

import streamlit as st

# CommonMark lets a backslash escape any ASCII punctuation. Escaping those that start or close a
# construct turns off links, images, emphasis, code, HTML, entities, lists and headings,
# Streamlit's :colour[...] and :material/…: directives and $math$. Commas, quotes and the like
# stay as typed. GFM's bare-URL links ("https://…", "www.…", "a@b.vn") ignore escapes: an
# invisible word joiner after ":" and "@" and inside "www." breaks them without changing what
# a reader sees.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@=^])")
_AUTOLINK = re.compile(r"(:|@|(?i:www)(?=\\\.))")
_JOINER = "\u2060"
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
OVERSIZE = b"DANVAN-UPLOAD-TOO-LARGE:"


def esc(text) -> str:
    """Text shown literally inside Markdown (one line: line breaks become spaces)."""
    escaped = _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", "" if text is None else str(text)))
    return _AUTOLINK.sub(lambda m: m[1] + _JOINER, escaped)


def md(template: str, **values) -> None:
    """st.markdown of a trusted template whose {fields} are user text: `md("**{f}**", f=name)`."""
    st.markdown(template.format(**{k: esc(v) for k, v in values.items()}))


def unexpected_error() -> None:
    st.error("Đã có lỗi ngoài dự kiến khi hiển thị trang này. Vui lòng tải lại trang (phím F5); "
             "nếu lỗi còn, báo quản trị hệ thống kèm thời điểm xảy ra lỗi.",
             icon=":material/error:")


# ---------------------------------------------------------------- uploads

def oversize_marker(size: int) -> bytes:
    """What serve.py passes on instead of a file over the limit."""
    return OVERSIZE + str(int(size)).encode()


def oversize(data: bytes) -> int | None:
    """The size of the refused file, when `data` is serve.py's stand-in for it."""
    if len(data) < 64 and data.startswith(OVERSIZE):
        digits = data[len(OVERSIZE):]
        return int(digits) if digits.isdigit() else 0
    return None


def drop_uploads(files) -> None:
    """Free the server's copy of uploaded files (UploadedFile objects or their ids) once a
    report is sent or its page is left: Streamlit would keep them until the session ends, in
    its file store and in the uploader's cached value, which st.rerun() does not refresh.
    Closing the file releases the bytes the cached value holds."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    for f in files:
        if hasattr(f, "close"):
            f.close()
        file_id = getattr(f, "file_id", f)
        if ctx is not None and isinstance(file_id, str):
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, file_id)


def held(files) -> list:
    """The uploader's files that still hold their content (not yet sent)."""
    return [f for f in files or [] if not getattr(f, "closed", False)]


def uploader_texts(limit_mb: str) -> None:
    """Vietnamese in place of the uploader's fixed English texts ("Drag and drop files here",
    "Limit … per file", "Browse files")."""
    box = '[data-testid="stFileUploaderDropzone"]'
    st.html(f"""<style>
{box} [data-testid="stFileUploaderDropzoneInstructions"] span,
{box} [data-testid="stFileUploaderDropzoneInstructions"] small {{display: none;}}
{box} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "Kéo thả tệp vào đây (tối đa {limit_mb} MB mỗi tệp)";}}
{box} button [data-testid="stMarkdownContainer"] p {{display: none;}}
{box} button [data-testid="stMarkdownContainer"]::after {{content: "Chọn tệp";}}
</style>""")
