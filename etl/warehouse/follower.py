"""Server mode: each app process's copy of what the dashboards read (etl.warehouse.replica),
kept up with PostgreSQL through the change log every write transaction appends to.

A reader asks for the copy (db.connect(url, read_only=True) or db.data_version(url)); at most
every CHECK_S the follower reads the log past the last change it applied and refreshes those
pairs, so a commit on any replica shows on every other one at its next page run, within
CHECK_S plus the refresh. The log is read before the copy is built, so a write committed while
the copy was being read is replayed after it.
"""
import threading
import time

from etl import config
from etl.warehouse import postgres, replica

CHECK_S = 0.25
# Seconds a replaced copy stays open for the readers that were on it.
RETIRE_S = 60.0

_followers: dict[str, "Follower"] = {}
_guard = threading.Lock()


class Follower:
    def __init__(self, url: str, tables: tuple = replica.TABLES):
        self.url = url
        self.source = postgres.Source(url, config.get("DANVAN_LOCK_TIMEOUT"), config.get("DANVAN_PG_POOL"))
        self._lock = threading.Lock()
        self.change_id = self._last_change()
        self.copy = replica.Replica(self.source, memory_limit=config.get("DANVAN_COPY_MEMORY"), tables=tables)
        self._checked = 0.0
        self._retired: list[tuple[float, replica.Replica]] = []
        self.catch_up(force=True)

    def _last_change(self) -> int:
        with self.source.snapshot() as snap:
            return snap.con.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchone()[0]

    def close(self) -> None:
        for _, old in self._retired:
            old.close()
        self.copy.close()

    def stale(self) -> None:
        self._checked = 0.0

    def catch_up(self, force: bool = False) -> int:
        """Apply the changes committed since the last one applied; returns the last change id."""
        # A reader that meets another thread's refresh reads the copy as it is, without waiting.
        if not self._lock.acquire(blocking=force):
            return self.change_id
        try:
            while self._retired and time.monotonic() - self._retired[0][0] > RETIRE_S:
                self._retired.pop(0)[1].close()
            if not force and time.monotonic() - self._checked < CHECK_S:
                return self.change_id
            with self.source.snapshot() as snap:
                rows = snap.con.execute(
                    "SELECT change_id, what, unit_code, period_key FROM change_log "
                    "WHERE change_id > ? ORDER BY change_id", [self.change_id]).fetchall()
                pruned = snap.con.execute(
                    "SELECT value FROM meta WHERE key = 'change_log_pruned_to'").fetchall()
            self._checked = time.monotonic()
            if pruned and int(pruned[0][0]) > self.change_id:
                # Changes this copy had not applied left the log (DANVAN_CHANGE_LOG_DAYS): a new
                # copy. Readers of the old one finish on it: closing it would close their cursors.
                self.change_id = self._last_change()
                old, self.copy = self.copy, replica.Replica(
                    self.source, memory_limit=config.get("DANVAN_COPY_MEMORY"), tables=self.copy.tables)
                self._retired.append((time.monotonic(), old))
                with self.source.snapshot() as snap:      # what was committed while it was read
                    rows = snap.con.execute(
                        "SELECT change_id, what, unit_code, period_key FROM change_log "
                        "WHERE change_id > ? ORDER BY change_id", [self.change_id]).fetchall()
            if rows:
                pairs = {(u, p) for _, what, u, p in rows if what == "pairs"}
                self.copy.refresh(pairs, whole=True)
                self.change_id = rows[-1][0]
            return self.change_id
        finally:
            self._lock.release()


def follower(url: str) -> Follower:
    """This process's follower of the server at url, built at the first call."""
    with _guard:
        f = _followers.get(url)
        if f is None:
            f = _followers[url] = Follower(url)
    return f


def history_follower(url: str) -> Follower:
    """What a load's history checks read, caught up: the dashboards' copy when this process
    keeps one (an app replica), else a copy of those tables only (`etl load` of 100 files on the
    national data: 27–28 s a run instead of 47–54 s)."""
    with _guard:
        f = _followers.get(url) or _followers.get((url, "history"))
        if f is None:
            f = _followers[(url, "history")] = Follower(url, replica.HISTORY_TABLES)
    return f


def committed(url: str) -> None:
    """This process has just committed to url: its copy looks at the log at the next read, not
    up to CHECK_S later (whoever wrote sees the write on the page that follows)."""
    for f in (_followers.get(url), _followers.get((url, "history"))):
        if f is not None:
            f.stale()


def forget(url: str) -> None:
    """Drop this process's copies of one server's data."""
    with _guard:
        gone = [_followers.pop(key) for key in (url, (url, "history")) if key in _followers]
    for f in gone:
        f.close()


def forget_all() -> None:
    """Drop every copy (tests whose databases go away)."""
    with _guard:
        for f in _followers.values():
            f.close()
        _followers.clear()
