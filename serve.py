"""The web server: `streamlit run serve.py` (what `make run` does) serves app.py through st.App
with what a Streamlit script cannot do for itself: sign-in routes that set an HttpOnly session
cookie (pages/_signin.py), a gate in front of every page and upload (pages/_gate.py), a
start-up hook that leaves Streamlit's legacy pages/ mode and warms the app (pages/_warm.py)
before the first visitor, and a
handler that logs an unexpected error for the operator and shows users a Vietnamese sentence.
"""
import ctypes
import logging
from contextlib import asynccontextmanager

import pyarrow as pa
import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from etl import config
from pages import _gate, _signin, _ui

log = logging.getLogger("danvan")


def give_back_freed_memory() -> None:
    """Uploads are bytes of up to 20 MB. Once glibc has freed one large block its threshold for
    giving such blocks their own mapping grows, so later ones land in its heaps and stay there
    when freed; Arrow's jemalloc pool keeps freed blocks too. Measured here: 6 uploads of 15 MB
    left the server 250 MB larger; with a fixed threshold and Arrow on the system allocator,
    45 MB (the first file's working set), flat after. Every session's script runs in a thread
    of its own, and glibc gives threads heaps of their own (up to 8 per core), each keeping what
    it freed: with the read copy, four threads running every page query 3 times left the
    process at 602 MB some seconds later, 508–518 MB with two heaps (peak 857 → 779–785 MB)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)        # M_MMAP_THRESHOLD = 1 MB
        libc.mallopt(-8, 2)              # M_ARENA_MAX = 2
    except (OSError, AttributeError):                          # not glibc: nothing to tune
        pass
    pa.set_memory_pool(pa.system_memory_pool())


give_back_freed_memory()


@asynccontextmanager
async def lifespan(_app):
    # Streamlit treats a pages/ folder next to app.py as a legacy multipage app until the first
    # st.navigation call in the process: every file a page, listed in the sidebar, run without
    # app.py's access check. Leaving that mode before any session exists closes it for good.
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
    if config.get("DANVAN_WARM_START"):
        # Before the first visitor, not on them: a first page took 5–9 s after a start.
        from anyio import to_thread

        from pages import _warm
        await to_thread.run_sync(_warm.start_up)
    yield


def on_script_error(exc: BaseException) -> bool:
    """Details (paths, SQL, traceback) go to the operator's log; users read a sentence."""
    log.error("unexpected error in a page", exc_info=exc)
    _ui.unexpected_error()
    return True


app = st.App(
    "app.py",
    lifespan=lifespan,
    routes=[Route(_signin.SIGN_IN_PATH, _signin.sign_in, methods=["GET", "POST"]),
            Route(_signin.SIGN_OUT_PATH, _signin.sign_out, methods=["GET"]),
            Route(_signin.OIDC_PATH, _signin.oidc, methods=["GET"])],
    middleware=[Middleware(_gate.Gate)],
    on_script_error=on_script_error,
)
