"""What every command shares: the parser (help and argument errors in Vietnamese), the --db option
and its checks, and how a failure becomes one line «Lỗi: ...» and an exit code, never a traceback.

Exit codes: 0 done; 2 bad input or a database the product cannot open; 1 an error nobody foresaw
(DANVAN_DEBUG=1 shows its traceback); load and brief add their own (1 refused, 3 no image).
"""
import argparse
import errno
import re
import sys
from pathlib import Path

import duckdb

from etl import config
from etl.domain.periods import PeriodError
from etl.warehouse import db, migrations, postgres
from etl.warehouse.migrations import SchemaTooNew

# ------------------------------------------------------------------------------ parser

# argparse writes its own messages in English; the operator reads Vietnamese everywhere else.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.+)", r"thiếu đối số bắt buộc: \1"),
    (r"unrecognized arguments: (.+)", r"không hiểu đối số: \1"),
    (r"invalid choice: (.+) \(choose from (.+)\)", r"không có lựa chọn \1 (chọn một trong: \2)"),
    (r"invalid int value: (.+)", r"\1 không phải số nguyên"),
    (r"invalid float value: (.+)", r"\1 không phải số"),
    (r"invalid \w+ value: (.+)", r"giá trị \1 không hợp lệ"),
    (r"expected one argument", "cần một giá trị"),
    (r"expected at least one argument", "cần ít nhất một giá trị"),
    (r"ambiguous option: (\S+) could match (.+)", r"tùy chọn \1 không rõ, có thể là \2"),
]


def _vietnamese(message: str) -> str:
    head, m = "", re.match(r"argument (.+?): (.*)$", message, re.DOTALL)
    if m:
        head, message = f"đối số {m[1]}: ", m[2]
    for pattern, replacement in _ARGPARSE_MESSAGES:
        said, n = re.subn(f"^{pattern}$", replacement, message, flags=re.DOTALL)
        if n:
            return head + said
    return head + message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "cách dùng: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """ArgumentParser with Vietnamese headings, -h text and error messages (subparsers too:
    add_parser makes parsers of the parent's class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "đối số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {_vietnamese(message)}\n")


# ------------------------------------------------------------------------------ --db

DB_HELP = ("tệp cơ sở dữ liệu DuckDB (mặc định: $DANVAN_DB hoặc data/danvan.duckdb); "
           "đặt trước hoặc sau tên lệnh")


def add_db_option(parser, top: bool = False) -> None:
    # On each command too, so `etl export -o x.csv --db d.duckdb` works; SUPPRESS there keeps a
    # --db given before the command when none follows it.
    parser.add_argument("--db", metavar="TỆP", help=DB_HELP,
                        default=None if top else argparse.SUPPRESS)


def add_scope_options(parser) -> None:
    """--province and --include-unreviewed: the Scope the dashboards' sidebar gives, for commands
    that read what the dashboards show (read_scope builds it)."""
    parser.add_argument("--province", default=None, metavar="MÃ",
                        help="chỉ các đơn vị của một tỉnh, thành phố (mã trong data/provinces.csv, "
                             "ví dụ 31; mặc định: tất cả)")
    parser.add_argument("--include-unreviewed", action="store_true",
                        help="gồm cả báo cáo chưa duyệt (phiên bản mới nhất đã duyệt hoặc chờ "
                             "duyệt); báo cáo bị trả lại không bao giờ được tính")
    parser.add_argument("--boundaries", choices=["current", "reported"], default="current",
                        help="current = theo địa giới hiện nay (số liệu đơn vị cũ quy về đơn vị "
                             "mới, phần chia có đánh dấu ước tính; mặc định); reported = như đã "
                             "báo cáo (đơn vị cũ giữ nguyên)")


def read_scope(args, period_key: str | None = None):
    from etl.read.scope import Scope
    return Scope(period_key, (args.province or "").strip() or None, bool(args.include_unreviewed),
                 args.boundaries)


class CommandError(Exception):
    """A failure the operator can act on: main() prints «Lỗi: message» and exits with code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message, self.code = message, code


# DuckDB reads "mysql:...", "postgres:...", "md:..." and URLs as attachments of other systems (and
# would fetch extensions from the network for them); this product only works on a local file.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_SERVERS = {"mysql": "MySQL", "mariadb": "MariaDB"}
EXAMPLE = "--db data/danvan.duckdb"


def _address(args) -> tuple[str, str]:
    """(the database address as given, where it came from, for the messages)."""
    given = getattr(args, "db", None)
    if given:
        return str(given), " (tùy chọn --db)"
    env = config.get("DANVAN_DB")
    if env:
        return env, " (biến môi trường DANVAN_DB)"
    return str(db.DEFAULT_DB), ""


def _masked(address: str) -> str:
    """The address without the password of a server URL (user:secret@host)."""
    return re.sub(r"(://[^/:@]*):[^/@]*@", r"\1:***@", address)


def is_duckdb_file(path: Path) -> bool:
    """The file starts with DuckDB's header (magic «DUCK» at byte 8)."""
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def not_duckdb(path, via: str = "") -> str:
    return (f"Tệp «{path}»{via} không phải cơ sở dữ liệu DuckDB (có thể là một tệp khác hoặc tệp "
            "bị hỏng); hãy kiểm tra lại đường dẫn.")


def database(args, create: bool = False) -> Path:
    """The database file the command will open, checked first so that an address the product
    cannot open gets a sentence, not DuckDB's traceback. create: the command may make the file
    (init, demo); every other command needs an existing one. Raises CommandError."""
    raw, via = _address(args)
    if postgres.is_url(raw):            # server mode: connecting tells whether it is there
        return raw
    scheme = _SCHEME.match(raw)
    if scheme and scheme[1].lower() in _SERVERS:
        raise CommandError(f"Chưa hỗ trợ máy chủ {_SERVERS[scheme[1].lower()]}: «{_masked(raw)}»"
                           f"{via}. Hãy dùng một tệp DuckDB, ví dụ {EXAMPLE}.")
    if scheme or raw.startswith(":memory:"):
        raise CommandError(f"«{_masked(raw)}»{via} không phải đường dẫn tới một tệp DuckDB trên máy "
                           f"này; hãy dùng một tệp, ví dụ {EXAMPLE}.")
    path = Path(raw)
    if path.is_dir():
        raise CommandError(f"«{raw}»{via} là một thư mục, không phải tệp cơ sở dữ liệu; hãy chỉ "
                           f"tới một tệp DuckDB, ví dụ «{path / 'danvan.duckdb'}».")
    if path.exists():
        if not path.is_file():
            raise CommandError(f"«{raw}»{via} không phải một tệp thường; hãy chỉ tới một tệp DuckDB.")
        # A file shorter than the header may be one another process is creating right now
        # (DuckDB waits for that process's lock), so only a failed open judges it: explain().
        if path.stat().st_size >= 12 and not is_duckdb_file(path):
            raise CommandError(not_duckdb(raw, via))
    elif create:
        folder = next(p for p in path.absolute().parents if p.exists())
        if not folder.is_dir():
            raise CommandError(f"«{folder}» không phải thư mục nên không tạo được cơ sở dữ liệu "
                               f"«{raw}»{via}.")
    elif not path.absolute().parent.is_dir():
        raise CommandError(f"Không có thư mục «{path.parent}» chứa cơ sở dữ liệu «{raw}»{via}; hãy "
                           f"kiểm tra lại đường dẫn, hoặc chạy 'python -m etl init --db {raw}' để "
                           "tạo mới.")
    else:
        raise CommandError(f"Chưa có cơ sở dữ liệu «{raw}»{via}. Chạy 'python -m etl init' "
                           f"(với --db {raw} nếu cần) trước.")
    args.database = path   # for explain(), should DuckDB still refuse it
    return path


# ------------------------------------------------------------------------------ failures

_OS_ERRORS = {
    errno.ENOENT: "không có tệp hoặc thư mục này", errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép", errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EISDIR: "đây là một thư mục", errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc", errno.EEXIST: "đã có tệp này",
}
DEBUG_HINT = "Chạy lại với DANVAN_DEBUG=1 để xem chi tiết kỹ thuật."


def _older_schema(target) -> int | None:
    """The schema version of a database `etl init` has not brought to this software yet (None if
    it has, or when unreadable)."""
    try:
        with db.connect(target, read_only=True) as con:
            stored = migrations.schema_version(con)
            current = migrations.up_to_date(con)
    except (duckdb.Error, OSError):
        return None
    return stored if 0 < stored <= migrations.LATEST and not current else None


def explain(exc: Exception, args) -> tuple[str, int]:
    """(the sentence, the exit code) for an exception no command caught."""
    target = getattr(args, "database", None) or db.db_path(getattr(args, "db", None))
    via = _address(args)[1]
    if isinstance(exc, OSError):
        if exc.errno is None:      # raised with a Vietnamese sentence (db.connect, the loader)
            return str(exc), 2
        where = f" «{exc.filename}»" if exc.filename else ""
        return f"Không đọc hoặc ghi được{where}: {_OS_ERRORS.get(exc.errno, 'lỗi hệ thống tệp')}.", 2
    if isinstance(exc, postgres.ServerError):
        return (f"{exc} «{_masked(str(target))}»{via}: kiểm tra máy chủ đang chạy, tên cơ sở dữ "
                "liệu, người dùng và mật khẩu (tệp ~/.pgpass).", 2)
    if postgres.is_url(str(target)) and type(exc).__module__.startswith(("psycopg", "adbc")):
        return (f"Máy chủ cơ sở dữ liệu «{_masked(str(target))}»{via} báo lỗi "
                f"({type(exc).__name__}); nếu chưa khởi tạo, chạy 'python -m etl init' với "
                f"--db trỏ tới máy chủ. {DEBUG_HINT}"), 2
    stored = _older_schema(target) if isinstance(exc, duckdb.Error) else None
    if stored is not None:
        return (f"Cơ sở dữ liệu «{target}»{via} được lập bởi phiên bản cũ hơn của phần mềm (lược đồ "
                f"phiên bản {stored}). Chạy 'python -m etl init' (với --db {target} nếu cần) để nâng "
                "cấp; số liệu đã có được giữ nguyên."), 2
    if isinstance(exc, duckdb.CatalogException):
        return (f"Cơ sở dữ liệu «{target}»{via} chưa được khởi tạo hoặc chưa được nâng cấp (thiếu bảng). "
                f"Chạy 'python -m etl init' (với --db {target} nếu cần) trước."), 2
    if isinstance(exc, duckdb.Error):
        if Path(target).is_file() and not is_duckdb_file(Path(target)):
            return not_duckdb(target, via), 2
        if "permission denied" in str(exc).lower():
            return f"Không có quyền đọc hoặc ghi cơ sở dữ liệu «{target}»{via}.", 2
        return (f"Không đọc hoặc ghi được cơ sở dữ liệu «{target}»{via} (lỗi DuckDB "
                f"{type(exc).__name__}). {DEBUG_HINT}"), 2
    return (f"Lệnh «{getattr(args, 'command', '')}» gặp lỗi không lường trước "
            f"({type(exc).__name__}). {DEBUG_HINT}"), 1


def say_error(message: str, code: int = 2) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return code


def guarded(args) -> int:
    """args.run(args), with every failure said in one Vietnamese line and an exit code."""
    try:
        return args.run(args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130
    except CommandError as exc:
        return say_error(exc.message, exc.code)
    except (PeriodError, db.DatabaseBusy, SchemaTooNew) as exc:   # their messages are for the operator
        return say_error(str(exc))
    except Exception as exc:
        if config.get("DANVAN_DEBUG"):
            raise
        return say_error(*explain(exc, args))
