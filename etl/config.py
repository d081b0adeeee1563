"""Every setting of the product, in one place: its environment variable, default and meaning.

Code asks `config.get("DANVAN_LOCK_TIMEOUT")` (typed by the table below) instead of reading
os.environ itself, so the README's settings table (tests/test_config.py checks it lists every
row) is the whole list. Values are read when asked: a test or an operator changing the
environment of a running process sees the change at the next use.
"""
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    kind: type            # str, int, float or bool ("1" is true)
    meaning: str


SETTINGS = {s.name: s for s in [
    Setting("DANVAN_DB", None, str,
            "the database: a DuckDB file (default data/danvan.duckdb), or a PostgreSQL URL "
            "`postgresql://user@host:port/db` for server mode; `--db` on the command line wins"),
    Setting("DANVAN_PG_POOL", "8", int,
            "server mode: PostgreSQL connections each app process keeps at most"),
    Setting("DANVAN_LOCK_TIMEOUT", "60", float,
            "seconds a command waits for another process's lock on the database file"),
    Setting("DANVAN_READ_TIMEOUT", "5", float,
            "seconds a dashboard page waits for a writer before saying the data are being updated"),
    Setting("DANVAN_READ_MEMORY", "256MB", str,
            "memory cap of the dashboard's shared in-memory DuckDB (readers)"),
    Setting("DANVAN_COPY_MEMORY", "1GB", str,
            "server mode: memory cap of each app process's in-memory copy of the dashboards' data"),
    Setting("DANVAN_CHANGE_LOG_DAYS", "7", float,
            "days the change log keeps what each write changed; a copy further behind reads everything again"),
    Setting("DANVAN_WRITE_HOLD_S", "1.0", float,
            "seconds a batch load holds the file before letting readers in"),
    Setting("DANVAN_MAX_UPLOAD_MB", "20", float, "largest report file accepted, in MB"),
    Setting("DANVAN_ANONYMOUS_READ", "0", bool,
            "1: dashboards open read-only to visitors without an account (accepted figures only)"),
    Setting("DANVAN_SESSION_IDLE_MINUTES", "30", float, "a session ends after this long unused"),
    Setting("DANVAN_SESSION_MAX_HOURS", "12", float, "a session ends this long after sign-in"),
    Setting("DANVAN_SIGNIN_PER_MINUTE", "10", int, "sign-in attempts allowed per client address"),
    Setting("DANVAN_TRUSTED_PROXY", "0", bool,
            "1: behind a reverse proxy, the client is the last X-Forwarded-For address and the "
            "host X-Forwarded-Host"),
    Setting("DANVAN_COOKIE_SECURE", "0", bool,
            "1: the session cookie is always Secure (it already is over HTTPS)"),
    Setting("DANVAN_DEBUG", "0", bool,
            "1: the command line shows the Python traceback of an error it cannot explain "
            "(otherwise one Vietnamese sentence)"),
    Setting("DANVAN_WARM_START", "1", bool,
            "1: the server imports the app, draws a chart and starts the image browser before its "
            "first visitor (0: on the first visit)"),
    Setting("BROWSER_PATH", None, str,
            "the Chromium that draws exported chart images (default /usr/bin/chromium)"),
]}


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a program the product runs (LibreOffice, OCR): this process's, with
    overrides. Read here like every setting, so no other module reads the environment."""
    return {**os.environ, **overrides}


def get(name: str):
    """The setting's value now, typed; None for an unset setting without a default."""
    s = SETTINGS[name]
    raw = os.environ.get(name)
    raw = s.default if raw in (None, "") else raw
    if raw is None:
        return None
    if s.kind is bool:
        return raw.strip() == "1"
    return s.kind(raw)
