"""The server-mode deployment files (deploy/): checks that run offline and fail on a real mistake.

- the shell scripts parse (bash -n; shellcheck when installed); danvan-etl.sh reads the env file
  literally, as systemd does;
- nginx accepts deploy/nginx/danvan.conf (nginx -t), and, run for real in front of three stand-in
  replicas (tests/deploy/stub_replica.py), routes every request of a browser to one replica from
  its first request on, upgrades the websocket, passes the client and host the app trusts, takes
  a 21 MB upload and refuses a larger one in Vietnamese, and moves stateless requests, never a
  tab's websocket or uploads, when a replica is down;
- systemd accepts the units (systemd-analyze verify) and their hardening stays "OK"
  (systemd-analyze security: 2.4 and 1.7 today, failing above 3.0);
- the env example only names settings that exist;
- PostgreSQL: danvan.conf is valid for PostgreSQL 15; setup.sh makes the roles with the
  privileges they need and no more; backup.sh dumps and keeps what it should; restore-check.sh
  restores a dump into a throwaway cluster and says 0 when it gives back the same export, 1 when a
  row changed after the dump, 2 for a file that is no dump, and leaves nothing behind.

restore-check.sh takes its export command from DANVAN_EXPORT_CMD: here `psql COPY` of two small
tables, so that these tests do not depend on server mode's `etl export`.
With real app processes and Chromium: test_deploy_browser.py.
Skipped when nginx, systemd-analyze or PostgreSQL 15 are missing, unless DANVAN_REQUIRE_NGINX=1
or DANVAN_REQUIRE_POSTGRES=1: then those are failures.
"""
import base64
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.deploy.proxy import (
    NGINX,
    NGINX_CONF,
    ROOT,
    SITE,
    Proxy,
    main_conf,
    needs,
    needs_nginx,
    read_response,
    routing_cookies,
    run,
    self_signed_cert,
)

DEPLOY = ROOT / "deploy"
SCRIPTS = [DEPLOY / "backup.sh", DEPLOY / "restore-check.sh", DEPLOY / "danvan-etl.sh",
           DEPLOY / "postgresql" / "setup.sh"]
UNITS = [DEPLOY / "systemd" / "danvan@.service", DEPLOY / "systemd" / "danvan-init.service"]
PG_BINDIR = Path(os.environ.get("DANVAN_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
IS_ROOT = os.geteuid() == 0


def needs_postgres():
    needs((PG_BINDIR / "initdb").exists(), "DANVAN_REQUIRE_POSTGRES",
          f"PostgreSQL 15 is not installed ({PG_BINDIR}/initdb missing; Debian package 'postgresql')")


# ====================================================================== scripts

@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_parses(script):
    result = run(["bash", "-n", str(script)])
    assert result.returncode == 0, result.stderr
    assert os.access(script, os.X_OK), f"{script} is not executable (chmod +x, git keeps the bit)"


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (Debian package 'shellcheck')")
def test_scripts_pass_shellcheck():
    result = run(["shellcheck", *map(str, SCRIPTS)])
    assert result.returncode == 0, result.stdout


def test_danvan_etl_reads_the_env_file_as_systemd_does(tmp_path):
    # A stand-in interpreter shows what the wrapper would run: the address taken literally (an
    # "&" or "$" in it is no shell), the owner's with --owner, the pgpass file, the code's folder.
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\nprintf "%s|" "$PWD" "$PGPASSFILE" "$DANVAN_TRUSTED_PROXY" "$@"\n')
    fake.chmod(0o755)
    env_file = tmp_path / "danvan.env"
    env_file.write_text("# comment\n\nDANVAN_DB=postgresql://danvan_app@db:5432/danvan?sslmode=require&x=$HOME\n"
                        "DANVAN_OWNER_DB=postgresql://danvan_owner@db:5432/danvan\nDANVAN_TRUSTED_PROXY=1\n")
    env = {**os.environ, "DANVAN_PYTHON": str(fake), "DANVAN_ENV_FILE": str(env_file)}
    env.pop("PGPASSFILE", None)
    script = str(DEPLOY / "danvan-etl.sh")
    result = run([script, "user", "list"], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"{ROOT}|/etc/danvan/pgpass|1|-m|etl|--db|"
                             "postgresql://danvan_app@db:5432/danvan?sslmode=require&x=$HOME|user|list|")
    result = run([script, "--owner", "init", "--registry", "national"], env=env)
    assert result.stdout.endswith("--db|postgresql://danvan_owner@db:5432/danvan|init|--registry|national|")
    env_file.write_text("DANVAN_DB postgresql://x\n")
    result = run([script, "user", "list"], env=env)
    assert result.returncode == 2 and "dòng không hợp lệ" in result.stderr


# ====================================================================== nginx

def _upstream_servers(conf: str) -> dict[str, list[str]]:
    blocks = re.findall(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.DOTALL)
    return {name: re.findall(r"^\s*server\s+(\S+?)[\s;]", body, re.MULTILINE) for name, body in blocks}


def test_nginx_pools_list_the_same_replicas():
    # The same key must give the same replica in both pools: same servers, same order.
    pools = _upstream_servers(NGINX_CONF.read_text())
    assert set(pools) == {"danvan", "danvan_ghim"}
    assert pools["danvan"] == pools["danvan_ghim"] and len(pools["danvan"]) >= 2, pools


def test_nginx_accepts_the_config(tmp_path):
    needs_nginx()
    # The file as shipped, included by a main nginx.conf; its relative certificate paths point
    # next to that file (tls/).
    self_signed_cert(tmp_path / "tls")
    conf = main_conf(tmp_path, NGINX_CONF)
    result = run([NGINX, "-t", "-p", f"{tmp_path}/", "-e", str(tmp_path / "error.log"), "-c", str(conf)])
    assert result.returncode == 0, result.stderr + (tmp_path / "error.log").read_text()


@pytest.fixture
def proxy(tmp_path):
    needs_nginx()
    with Proxy(tmp_path) as p:
        yield p


def test_nginx_keeps_a_browser_on_one_replica(proxy):
    # First visit, no cookie: nginx hands out a routing cookie, and the replica that answered is
    # the one that cookie leads to (the first request is hashed on the value it hands out).
    status, headers, payload = proxy.request("GET", "/")
    assert status == 200
    (cookie_header,) = routing_cookies(headers)
    value = cookie_header.split(";")[0].split("=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", value)
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= {a.strip() for a in cookie_header.split(";")}
    first = json.loads(payload)["port"]

    cookie = f"danvan_tuyen={value}; danvan_phien=phien-thu"
    paths = ["/", "/tong-quan?ky=2025", "/static/js/index.js", "/auth/login", "/_stcore/health",
             "/_stcore/host-config", "/media/abc.png"]
    for path in paths:
        seen = proxy.replica_of(path, cookie)
        assert seen["port"] == first, path
        assert seen["headers"]["cookie"] == cookie        # the app's session cookie gets through
    upload = proxy.replica_of("/_stcore/upload_file/SESSION/FILE", cookie, "PUT", b"x" * 1_000_000)
    assert upload["port"] == first and upload["body_bytes"] == 1_000_000
    # A browser that has its cookie is not given another.
    assert not routing_cookies(proxy.request("GET", "/", cookie)[1])

    # Browsers spread over the replicas, and both pools agree on each browser's replica.
    spread = set()
    for _ in range(20):
        c = f"danvan_tuyen={secrets.token_hex(16)}"
        stateless = proxy.replica_of("/", c)["port"]
        assert proxy.replica_of("/_stcore/health", c)["port"] == stateless
        spread.add(stateless)
    assert len(spread) >= 2, spread

    # A cookie nginx could not have made is replaced.
    _status, headers, _ = proxy.request("GET", "/", "danvan_tuyen=../../etc")
    assert len(routing_cookies(headers)) == 1


def test_nginx_upgrades_the_websocket_on_the_browser_replica(proxy):
    cookie = f"danvan_tuyen={secrets.token_hex(16)}"
    replica = proxy.replica_of("/", cookie)["port"]
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    with proxy.tls_socket() as sock:
        sock.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {proxy.host}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: https://{proxy.host}\r\nCookie: {cookie}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert f"X-Stub-Port: {replica}".encode() in head
        sock.sendall(b"xin chao")
        echoed = b""
        while len(echoed) < 8:
            echoed += sock.recv(8)
        assert echoed == b"xin chao"


def test_nginx_passes_the_client_and_host_the_app_trusts(proxy):
    cookie = f"danvan_tuyen={secrets.token_hex(16)}"
    status, _h, payload = proxy.request("GET", "/auth/login", cookie, headers={"X-Forwarded-For": "6.6.6.6"})
    assert status == 200
    headers = json.loads(payload)["headers"]
    # The app takes the last X-Forwarded-For address: it must be nginx's view of the client.
    assert headers["x-forwarded-for"].split(",")[-1].strip() == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "https"
    # Host with its port: the app compares it with the browser's Origin (sign-in, websocket).
    assert headers["host"] == headers["x-forwarded-host"] == proxy.host
    # A plain request is not an upgrade, and leaves the connection to the replica reusable.
    assert "upgrade" not in headers and headers.get("connection", "") != "upgrade"


def test_nginx_redirects_http_to_https(proxy):
    status, headers, _ = proxy.request("GET", "/so-sanh?ky=2025", port=proxy.http_port)
    assert status == 301
    assert dict(headers)["Location"] == f"https://{SITE}/so-sanh?ky=2025"


def test_nginx_upload_limit(proxy):
    cookie = f"danvan_tuyen={secrets.token_hex(16)}"
    # Just over the app's 20 MB: nginx lets it through, the app refuses it in Vietnamese itself.
    body = b"x" * (21 * 1024 * 1024)
    assert proxy.replica_of("/_stcore/upload_file/S/F", cookie, "PUT", body)["body_bytes"] == len(body)
    # Over nginx's 25 MB: refused before it reaches a replica, in Vietnamese.
    with proxy.tls_socket() as sock:
        sock.sendall((f"PUT /_stcore/upload_file/S/F HTTP/1.1\r\nHost: {proxy.host}\r\nCookie: {cookie}\r\n"
                      f"Content-Length: {26 * 1024 * 1024}\r\nConnection: close\r\n\r\n").encode())
        status, _headers, payload = read_response(sock)
    assert status == 413
    assert "Tệp gửi lên quá lớn" in payload.decode()


def test_nginx_moves_only_stateless_requests_off_a_stopped_replica(proxy):
    cookie = f"danvan_tuyen={secrets.token_hex(16)}"
    home = proxy.replica_of("/", cookie)["port"]
    proxy.stop_stub(home)
    # Pages, sign-in, static files: another replica answers.
    assert proxy.replica_of("/", cookie)["port"] != home
    # The tab's websocket, uploads and downloads: no other replica has that tab; it waits.
    for path in ("/_stcore/health", "/_stcore/stream", "/media/x.png"):
        status, _h, payload = proxy.request("GET", path, cookie)
        assert status == 502, path
        assert "Hệ thống đang khởi động lại" in payload.decode()
    proxy.start_stub(home)
    assert proxy.replica_of("/_stcore/health", cookie)["port"] == home


# ====================================================================== systemd

def _units_for_verify(folder: Path) -> list[Path]:
    # The units name /opt/danvan (where the README installs); verify checks ExecStart exists,
    # so here they point at this checkout and the interpreter running the tests.
    venv_bin = Path(sys.executable).parent
    if not (venv_bin / "streamlit").exists():
        pytest.skip(f"no streamlit next to {sys.executable} (run the tests from the project's .venv)")
    out = []
    for unit in UNITS:
        text = unit.read_text().replace("/opt/danvan/.venv/bin/", f"{venv_bin}/").replace("/opt/danvan", str(ROOT))
        name = unit.name.replace("@.service", "@8501.service")
        (folder / name).write_text(text)
        out.append(folder / name)
    return out


def test_systemd_units_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package 'systemd')")
    units = _units_for_verify(tmp_path)
    result = run(["systemd-analyze", "verify", *map(str, units)])
    assert result.returncode == 0, result.stdout + result.stderr
    # Warnings are mistakes too (an unknown setting is only a warning).
    problems = [line for line in result.stderr.splitlines() if "danvan" in line]
    assert not problems, problems
    for unit in units:
        result = run(["systemd-analyze", "security", "--offline=yes", str(unit)])
        level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
        assert level, result.stdout + result.stderr
        # 2.4 for the replicas, 1.7 for the init today; "OK" stops at 4.9.
        assert float(level.group(1)) <= 3.0, result.stdout


def test_env_example_names_only_real_settings():
    from streamlit import config as streamlit_config

    from etl import config
    env = (DEPLOY / "systemd" / "danvan.env.example").read_text()
    keys = re.findall(r"^#?\s*(?:echo \")?([A-Z][A-Z0-9_]+)=", env, re.MULTILINE)
    deploy_only = {"DANVAN_OWNER_DB", "DANVAN_INIT_ARGS"}       # read by the units and scripts
    streamlit_vars = {o.env_var for o in streamlit_config.get_config_options().values()}
    unknown = [k for k in keys if k not in config.SETTINGS and k not in deploy_only and k not in streamlit_vars]
    assert not unknown, unknown
    assert "DANVAN_TRUSTED_PROXY" in keys and "STREAMLIT_SERVER_COOKIE_SECRET" in keys
    # The upload limit nginx allows stays above the app's.
    app_mb = float(re.search(r"^DANVAN_MAX_UPLOAD_MB=(\S+)", env, re.MULTILINE).group(1))
    nginx_mb = float(re.search(r"client_max_body_size (\d+)m;", NGINX_CONF.read_text()).group(1))
    assert nginx_mb > app_mb


# ====================================================================== PostgreSQL

def _pg_user():
    return pwd.getpwnam("postgres")


def as_pg(cmd: list[str]) -> list[str]:
    """initdb and the server refuse root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *cmd] if IS_ROOT else cmd


def give_to_pg(path: Path) -> None:
    if IS_ROOT:
        pg = _pg_user()
        os.chown(path, pg.pw_uid, pg.pw_gid)


class SourceCluster:
    """A throwaway PostgreSQL 15 standing in for production: peer-like trust for the superuser on
    its private socket, passwords (scram) for every other role, as Debian's pg_hba does."""

    def __init__(self, base: Path):
        self.base = base
        self.data = base / "source-data"
        self.run_dir = base / "source-run"          # socket and log, the cluster's user owns it
        self.port = 5432                          # a socket in a private folder: no clash
        self.pgpass = base / "pgpass"

    def start(self) -> None:
        for folder in (self.run_dir, self.data):
            folder.mkdir(mode=0o700)
            give_to_pg(folder)
        result = run(as_pg([str(PG_BINDIR / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]))
        assert result.returncode == 0, result.stderr
        hba = self.run_dir / "pg_hba.conf"
        hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n")
        give_to_pg(hba)
        result = run(as_pg(["cp", str(hba), str(self.data / "pg_hba.conf")]))
        assert result.returncode == 0, result.stderr
        options = f"-p {self.port} -k {self.run_dir} -c listen_addresses='' -c fsync=off"
        result = run(as_pg([str(PG_BINDIR / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                            str(self.run_dir / "log"), "-o", options, "start"]))
        assert result.returncode == 0, result.stderr

    def stop(self) -> None:
        run(as_pg([str(PG_BINDIR / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]))

    def url(self, role: str, db: str = "danvan") -> str:
        return f"postgresql://{role}@/{db}?host={self.run_dir}&port={self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "PGHOST": str(self.run_dir), "PGPORT": str(self.port),
                "PGPASSFILE": str(self.pgpass), "PGUSER": "postgres", **extra}

    def psql(self, role: str, sql: str) -> subprocess.CompletedProcess:
        return run([str(PG_BINDIR / "psql"), "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "-d", self.url(role), "-c", sql], env=self.env())

    def ok(self, role: str, sql: str) -> str:
        result = self.psql(role, sql)
        assert result.returncode == 0, f"{role}: {sql}: {result.stderr}"
        return result.stdout


@pytest.fixture(scope="module")
def source():
    """The source cluster after deploy/postgresql/setup.sh, with two small tables owned by the
    owner role and filled by the app role."""
    needs_postgres()
    base = Path(tempfile.mkdtemp(prefix="danvan-deploy-test-"))
    base.chmod(0o711)                                # the cluster's user must get through
    cluster = SourceCluster(base)
    try:
        cluster.start()
        result = run([str(DEPLOY / "postgresql" / "setup.sh")],
                     env=cluster.env(DANVAN_PGPASS=str(cluster.pgpass)))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Đã đặt mật khẩu mới cho: danvan_owner danvan_app danvan_backup" in result.stdout
        cluster.ok("danvan_owner", """
            CREATE TABLE demo_values (unit_code text, period text, indicator text, value numeric,
                                      PRIMARY KEY (unit_code, period, indicator));
            CREATE TABLE demo_models (unit_code text, model_name text, status text,
                                      PRIMARY KEY (unit_code, model_name));
            CREATE TABLE demo_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text);""")
        cluster.ok("danvan_app", """
            INSERT INTO demo_values VALUES ('10543', '2025', 'citizen_receptions', 14),
                ('10543', '2025', 'mediation_cases', NULL), ('11002', '2025', 'population', 34432.5);
            INSERT INTO demo_models VALUES ('10543', 'Ngày thứ 7 cùng dân', 'Đang duy trì'),
                ('11002', 'Camera an ninh, "khéo"', 'Dừng');
            INSERT INTO demo_log (what) VALUES ('nạp báo cáo');""")
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_postgresql_conf_is_valid_for_postgresql_15(source):
    # postgres -C reads the configuration as the server would and refuses an unknown setting or
    # a bad value.
    conf = source.run_dir / "check.conf"
    copy = source.run_dir / "danvan.conf"
    shutil.copy(DEPLOY / "postgresql" / "danvan.conf", copy)
    conf.write_text(f"include '{copy}'\n")
    give_to_pg(conf)
    give_to_pg(copy)
    # -C prints raw units: shared_buffers in 8 kB pages (4 GB).
    for name, expected in [("shared_buffers", "524288"), ("max_connections", "100"),
                           ("listen_addresses", "localhost"), ("password_encryption", "scram-sha-256"),
                           ("timezone", "Asia/Ho_Chi_Minh")]:
        result = run(as_pg([str(PG_BINDIR / "postgres"), "-D", str(source.data), "-c", f"config_file={conf}",
                            "-C", name]))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, name


def test_roles_have_least_privilege(source):
    # The app role reads and writes rows, also in tables created after setup.sh ran.
    assert source.ok("danvan_app", "SELECT count(*) FROM demo_values").strip() == "3"
    source.ok("danvan_app", "UPDATE demo_log SET what = what; DELETE FROM demo_log WHERE false;")
    # …and changes no schema, and cannot wipe a table at once.
    for sql in ("CREATE TABLE x (a int)", "DROP TABLE demo_values", "ALTER TABLE demo_values ADD b int",
                "TRUNCATE demo_values", "CREATE SCHEMA y"):
        result = source.psql("danvan_app", sql)
        assert result.returncode != 0, sql
        assert "permission denied" in result.stderr or "must be owner" in result.stderr, result.stderr
    # The backup role reads everything and writes nothing.
    assert source.ok("danvan_backup", "SELECT count(*) FROM demo_models").strip() == "2"
    result = source.psql("danvan_backup", "INSERT INTO demo_log (what) VALUES ('x')")
    assert result.returncode != 0 and "read-only" in result.stderr
    # The owner may change its schema but not make roles or databases.
    for sql in ("CREATE ROLE z", "CREATE DATABASE z"):
        result = source.psql("danvan_owner", sql)
        assert result.returncode != 0 and "permission denied" in result.stderr, sql
    # Nobody else gets in: no password for a role setup.sh did not make.
    source.ok("danvan_owner", "SELECT 1")
    result = run([str(PG_BINDIR / "psql"), "-X", "-w", "-d", source.url("postgres_khac"), "-c", "SELECT 1"],
                 env=source.env())
    assert result.returncode != 0


def test_setup_is_idempotent(source):
    before = source.pgpass.read_text()
    result = run([str(DEPLOY / "postgresql" / "setup.sh")], env=source.env(DANVAN_PGPASS=str(source.pgpass)))
    assert result.returncode == 0, result.stderr
    assert "không đổi gì" in result.stdout
    assert source.pgpass.read_text() == before
    assert oct(source.pgpass.stat().st_mode & 0o777) == "0o600"


def _backup(source: SourceCluster, backups: Path, **extra: str) -> subprocess.CompletedProcess:
    return run([str(DEPLOY / "backup.sh")], env=source.env(
        DANVAN_BACKUP_URL=source.url("danvan_backup"), DANVAN_BACKUP_DIR=str(backups),
        DANVAN_PG_BINDIR=str(PG_BINDIR), **extra))


def test_backup_writes_a_dump_and_keeps_the_newest(source):
    backups = source.base / "backups-retention"
    backups.mkdir()
    # Ten old dumps of last month: all but the newest KEEP_MIN go; a recent one stays.
    old = [backups / f"danvan-202501{d:02d}-013000.dump" for d in range(1, 11)]
    for f in old:
        f.write_bytes(b"old")
        (f.parent / (f.name + ".sha256")).write_text("x")
        os.utime(f, (time.time() - 40 * 86400, time.time() - 40 * 86400))
    recent = backups / "danvan-20250120-013000.dump"
    recent.write_bytes(b"recent")
    os.utime(recent, (time.time() - 2 * 86400, time.time() - 2 * 86400))

    result = _backup(source, backups, DANVAN_BACKUP_KEEP_DAYS="14", DANVAN_BACKUP_KEEP_MIN="3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã sao lưu:" in result.stdout
    dumps = sorted(p.name for p in backups.glob("danvan-*.dump"))
    new = [d for d in dumps if not d.startswith("danvan-2025")]
    assert len(new) == 1 and re.fullmatch(r"danvan-\d{8}-\d{6}\.dump", new[0]), dumps
    # The newest 3: today's, the recent one, and the newest old one (never fewer than KEEP_MIN).
    assert dumps == sorted([new[0], recent.name, old[-1].name]), dumps
    assert not (backups / (old[0].name + ".sha256")).exists()
    check = run(["sha256sum", "-c", new[0] + ".sha256"], cwd=backups)
    assert check.returncode == 0, check.stdout
    assert oct(backups.stat().st_mode & 0o777) == "0o700"
    assert not list(backups.glob(".*.partial"))


EXPORT = (f'"{PG_BINDIR}/psql" -X -w -q -v ON_ERROR_STOP=1 -d "$1" '
          '-c "COPY (SELECT * FROM demo_$3 ORDER BY 1, 2, 3) TO STDOUT WITH (FORMAT csv, HEADER)" > "$2"')


def _restore_check(source: SourceCluster, dump: Path | None, checks: Path) -> subprocess.CompletedProcess:
    args = [str(DEPLOY / "restore-check.sh")] + ([str(dump)] if dump else [])
    return run(args, env=source.env(
        DANVAN_SOURCE_URL=source.url("danvan_app"), DANVAN_EXPORT_CMD=EXPORT, DANVAN_PG_BINDIR=str(PG_BINDIR),
        DANVAN_CHECK_BASE=str(checks), DANVAN_BACKUP_DIR=str(source.base / "backups"),
        DANVAN_ENV_FILE=str(source.base / "no-env-file")))


def _leftovers(checks: Path) -> list:
    ps = run(["ps", "-eo", "args"]).stdout
    return list(checks.iterdir()) + [line for line in ps.splitlines() if str(checks) in line]


def test_restore_check_says_whether_the_dump_gives_back_the_data(source):
    backups = source.base / "backups"
    backups.mkdir()
    checks = source.base / "checks"
    checks.mkdir()
    checks.chmod(0o711)
    result = _backup(source, backups)
    assert result.returncode == 0, result.stdout + result.stderr

    # Unchanged since the dump: the newest dump of DANVAN_BACKUP_DIR, identical exports.
    result = _restore_check(source, None, checks)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KẾT QUẢ: KHỚP" in result.stdout
    assert "Khớp: số liệu chỉ tiêu — 4 dòng" in result.stdout          # header + 3 rows
    assert "Khớp: mô hình Dân vận khéo — 3 dòng" in result.stdout
    assert not _leftovers(checks)

    # A row changed after the dump: the dump no longer gives back what is shown.
    (dump,) = backups.glob("danvan-*.dump")
    source.ok("danvan_app", "UPDATE demo_values SET value = 15 WHERE indicator = 'citizen_receptions'")
    try:
        result = _restore_check(source, dump, checks)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "KẾT QUẢ: KHÔNG KHỚP" in result.stdout
        assert "KHÁC: số liệu chỉ tiêu" in result.stdout and "Khớp: mô hình Dân vận khéo" in result.stdout
        assert "-10543,2025,citizen_receptions,15" in result.stdout
        assert "+10543,2025,citizen_receptions,14" in result.stdout
        assert not _leftovers(checks)
    finally:
        source.ok("danvan_app", "UPDATE demo_values SET value = 14 WHERE indicator = 'citizen_receptions'")

    # Not a dump at all: exit 2, said in Vietnamese, nothing started.
    bad = source.base / "hong.dump"
    bad.write_bytes(os.urandom(4096))
    result = _restore_check(source, bad, checks)
    assert result.returncode == 2
    assert "KHÔNG KIỂM TRA ĐƯỢC" in result.stderr and "không phải bản sao lưu" in result.stderr
    assert not _leftovers(checks)
