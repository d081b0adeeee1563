"""A throwaway PostgreSQL cluster for the tests of server mode: Debian's postgresql 15, run as the
`postgres` user (initdb refuses root) on 127.0.0.1 at a free port, trust authentication, no
fsync. One cluster per test session; every test gets a fresh database of its own."""
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
_names = itertools.count(1)


def available() -> bool:
    return (BIN / "initdb").exists() and shutil.which("runuser") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args, **kwargs):
    runner = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
    return subprocess.run([*runner, *map(str, args)], check=True, capture_output=True, text=True,
                          **kwargs)


class Cluster:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="danvan-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = _free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        _as_postgres(BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                     "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        # -l: without a log file pg_ctl's server keeps the caller's pipe open.
        _as_postgres(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.log, "-w", "start")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        import psycopg
        name = f"t{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def clone(self, url: str) -> str:
        """A fresh database holding a copy of url's (PostgreSQL copies a template database in
        milliseconds; it must have no connection meanwhile, so this process lets go of it)."""
        import psycopg

        from etl.warehouse import follower, postgres
        follower.forget(url)
        postgres.close_pool(url)
        name = f"t{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            _as_postgres(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
