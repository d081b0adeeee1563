#!/usr/bin/env bash
# Does a backup really bring back what the dashboards show? Restores DUMP (default: the newest
# dump of DANVAN_BACKUP_DIR) into a fresh throwaway PostgreSQL cluster (its own folder, a Unix
# socket only, no TCP port), runs the same export against the running database and against the
# restored one (`etl export`, values and models: byte-reproducible CSV), compares them byte for
# byte, then stops and deletes the throwaway cluster.
#   deploy/restore-check.sh [DUMP]
# Exit 0: identical. 1: different. 2: could not check (bad dump, restore or export failed, or
# the running database changed while this ran, so the comparison would say nothing).
# It compares the dump with the database AS IT IS NOW: run it right after deploy/backup.sh
# (a report loaded in between is a difference too).
# Run as root (initdb runs as DANVAN_CHECK_PG_USER, postgres) or as a non-root user.
set -euo pipefail

APP_DIR="${DANVAN_APP_DIR:-/opt/danvan}"
PYTHON="${DANVAN_PYTHON:-$APP_DIR/.venv/bin/python}"
ENV_FILE="${DANVAN_ENV_FILE:-/etc/danvan/danvan.env}"
BACKUP_DIR="${DANVAN_BACKUP_DIR:-/var/backups/danvan}"
PG_BINDIR="${DANVAN_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
PG_USER="${DANVAN_CHECK_PG_USER:-postgres}"
CHECK_BASE="${DANVAN_CHECK_BASE:-/var/tmp}"
# Only names the socket file inside the throwaway's private folder: no clash with any server.
CHECK_PORT="${DANVAN_CHECK_PORT:-5432}"
KINDS="${DANVAN_CHECK_KINDS:-values models}"
JOBS="${DANVAN_RESTORE_JOBS:-2}"
export PGPASSFILE="${PGPASSFILE:-/etc/danvan/pgpass}"
# The export, run as: bash -c "$DANVAN_EXPORT_CMD" export DATABASE_URL OUTPUT_FILE KIND.
# Replaceable (tests/deploy use psql COPY on a small table).
# shellcheck disable=SC2016  # expanded by the bash -c below, not here
EXPORT_CMD="${DANVAN_EXPORT_CMD:-cd \"\$DANVAN_APP_DIR\" && \"\$DANVAN_PYTHON\" -m etl --db \"\$1\" export --kind \"\$3\" -o \"\$2\"}"
export DANVAN_APP_DIR="$APP_DIR" DANVAN_PYTHON="$PYTHON"

say() { printf '%s\n' "$*"; }
cannot() { printf 'KHÔNG KIỂM TRA ĐƯỢC: %s\n' "$*" >&2; exit 2; }

# ------------------------------------------------------------------ what to check, against what
DUMP="${1:-}"
if [ -z "$DUMP" ]; then
    DUMP="$(find "$BACKUP_DIR" -maxdepth 1 -name '*.dump' -type f 2>/dev/null | sort | tail -n 1)"
    [ -n "$DUMP" ] || cannot "không có bản sao lưu nào (*.dump) trong $BACKUP_DIR; chỉ rõ tệp: $0 TỆP.dump"
fi
if [ ! -f "$DUMP" ] || [ ! -r "$DUMP" ]; then cannot "không đọc được tệp sao lưu $DUMP."; fi

SOURCE="${DANVAN_SOURCE_URL:-}"
if [ -z "$SOURCE" ] && [ -r "$ENV_FILE" ]; then
    # Read, not sourced: only this one line matters here.
    SOURCE="$(sed -n 's/^DANVAN_DB=//p' "$ENV_FILE" | tail -n 1)"
fi
[ -n "$SOURCE" ] || cannot "không biết cơ sở dữ liệu đang chạy: đặt DANVAN_SOURCE_URL hoặc DANVAN_DB trong $ENV_FILE."

for tool in initdb pg_ctl pg_restore psql; do
    [ -x "$PG_BINDIR/$tool" ] || cannot "không tìm thấy $PG_BINDIR/$tool (gói Debian postgresql-15; hoặc đặt DANVAN_PG_BINDIR)."
done

DBNAME="$("$PG_BINDIR/pg_restore" -l "$DUMP" 2>/dev/null | sed -n 's/^;[[:space:]]*dbname: //p' | head -n 1)" || true
[ -n "$DBNAME" ] || cannot "$DUMP không phải bản sao lưu pg_dump -Fc đọc được."

if [ "$(id -u)" = 0 ]; then
    id "$PG_USER" >/dev/null 2>&1 || cannot "không có người dùng hệ thống $PG_USER để chạy cụm PostgreSQL tạm (initdb không chạy bằng root)."
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
    as_pg() { "$@"; }
fi

# The export's own messages go to a log beside its file, shown only when it fails: the verdict
# is what the reader of a cron mail needs.
export_to() {  # URL FILE KIND
    if ! bash -c "$EXPORT_CMD" export "$1" "$2" "$3" >"$2.log" 2>&1; then
        cat "$2.log" >&2
        return 1
    fi
}
# 54324 -> 54.324, as Vietnamese writes numbers.
grouped() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/.&/;ta'; }

say "Kiểm tra bản sao lưu: $DUMP"
say "So với cơ sở dữ liệu đang chạy: ${SOURCE%%\?*}"

# ------------------------------------------------------------------ the throwaway cluster
WORK="$(mktemp -d "$CHECK_BASE/danvan-restore-check.XXXXXX")" || cannot "không tạo được thư mục tạm trong $CHECK_BASE."
PGDATA_DIR="$WORK/pgdata"
SOCK="$WORK/sock"
PGLOG="$WORK/pg/postgres.log"
started=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ "$started" = 1 ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ "${DANVAN_KEEP_CHECK_DIR:-0}" = 1 ]; then
        say "(Giữ lại thư mục kiểm tra: $WORK)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

mkdir -p "$WORK/export" "$SOCK" "$WORK/pg" "$PGDATA_DIR"
chmod 700 "$SOCK" "$WORK/pg" "$WORK/export" "$PGDATA_DIR"
if [ "$(id -u)" = 0 ]; then
    # The cluster's user must reach its folders (it cannot create them in root's); the export
    # files stay root's.
    chmod 711 "$WORK"
    chown "$PG_USER" "$SOCK" "$WORK/pg" "$PGDATA_DIR"
fi

# Source first: the closer in time to the dump, the less chance someone wrote in between.
for kind in $KINDS; do
    export_to "$SOURCE" "$WORK/export/source-$kind.csv" "$kind" \
        || cannot "xuất dữ liệu ($kind) từ cơ sở dữ liệu đang chạy không thành công (xem thông báo ở trên)."
done

# The running server's time zone, so that times the export prints come out the same.
TZ_SOURCE="$("$PG_BINDIR/psql" -X -w -A -t -c 'SHOW timezone' "$SOURCE" 2>/dev/null | tr -d '[:space:]')" || TZ_SOURCE=""
case "$TZ_SOURCE" in *[!A-Za-z0-9/_+-]* | "") TZ_SOURCE="UTC" ;; esac

say "Đang khôi phục vào một cụm PostgreSQL tạm…"
as_pg "$PG_BINDIR/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync --no-instructions >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; cannot "initdb không tạo được cụm tạm trong $PGDATA_DIR."; }
# fsync off: a throwaway that is deleted in a minute needs no durability, and restores faster.
# -l: the server's output goes to a file, not to this script's stdout (a pipe left open would
# keep whoever reads this script's output waiting for ever).
as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -w -t 60 -l "$PGLOG" -o "-p $CHECK_PORT -k $SOCK \
-c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
-c timezone=$TZ_SOURCE -c max_wal_size=2GB" start >/dev/null \
    || { cat "$PGLOG" >&2 2>/dev/null || true; cannot "không khởi động được cụm PostgreSQL tạm."; }
started=1

# --create: the database is made as it was dumped (name, encoding, locale). --no-owner and
# --no-privileges: the throwaway has none of the production roles; every object belongs to
# its superuser, which changes nothing in the data.
"$PG_BINDIR/pg_restore" -h "$SOCK" -p "$CHECK_PORT" -U postgres -w -d postgres --create \
        --no-owner --no-privileges --exit-on-error -j "$JOBS" "$DUMP" \
    || cannot "pg_restore không khôi phục được $DUMP (xem thông báo ở trên): bản sao lưu này không dùng được."
RESTORED="postgresql://postgres@/$DBNAME?host=$SOCK&port=$CHECK_PORT"

for kind in $KINDS; do
    export_to "$RESTORED" "$WORK/export/restored-$kind.csv" "$kind" \
        || cannot "xuất dữ liệu ($kind) từ cơ sở dữ liệu khôi phục không thành công (xem thông báo ở trên)."
done

# The running database again: if it changed during the check, a difference would mean nothing.
for kind in $KINDS; do
    export_to "$SOURCE" "$WORK/export/source-again-$kind.csv" "$kind" \
        || cannot "xuất lại dữ liệu ($kind) từ cơ sở dữ liệu đang chạy không thành công."
    cmp -s "$WORK/export/source-$kind.csv" "$WORK/export/source-again-$kind.csv" \
        || cannot "dữ liệu đang chạy thay đổi trong lúc kiểm tra ($kind); chạy lại vào giờ vắng, ngay sau khi sao lưu."
done

# ------------------------------------------------------------------ verdict
label() { case "$1" in values) echo "số liệu chỉ tiêu" ;; models) echo "mô hình Dân vận khéo" ;; *) echo "$1" ;; esac; }
different=0
for kind in $KINDS; do
    a="$WORK/export/source-$kind.csv"
    b="$WORK/export/restored-$kind.csv"
    rows=$(grouped $(($(wc -l < "$a"))))
    if cmp -s "$a" "$b"; then
        say "  Khớp: $(label "$kind") — $rows dòng (cả dòng tiêu đề), giống nhau từng byte."
    else
        different=1
        say "  KHÁC: $(label "$kind") — đang chạy $rows dòng, bản khôi phục $(grouped $(($(wc -l < "$b")))) dòng. Những dòng khác đầu tiên (- đang chạy, + bản khôi phục):"
        diff -u "$a" "$b" | sed -n '3,$p' | grep -E '^[-+]' | head -n 20 | sed 's/^/    /' || true
    fi
done

if [ "$different" = 0 ]; then
    say "KẾT QUẢ: KHỚP. Bản sao lưu $(basename "$DUMP") khôi phục được và cho đúng những gì các trang đang hiển thị."
    exit 0
fi
say "KẾT QUẢ: KHÔNG KHỚP. Bản sao lưu $(basename "$DUMP") không cho lại đúng dữ liệu đang chạy."
say "Nếu có báo cáo được nạp, duyệt hoặc trả lại sau lúc sao lưu thì khác biệt là đương nhiên: sao lưu lại rồi kiểm tra ngay. Nếu không, bản sao lưu này không đáng tin: báo cho người quản trị."
exit 1
