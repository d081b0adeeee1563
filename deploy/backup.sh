#!/usr/bin/env bash
# A dump of danvan's PostgreSQL database: pg_dump -Fc into DANVAN_BACKUP_DIR as
# danvan-YYYYMMDD-HHMMSS.dump (plus its .sha256), then the dumps older than
# DANVAN_BACKUP_KEEP_DAYS are deleted, except that the newest DANVAN_BACKUP_KEEP_MIN always stay
# (a month of failed backups must not delete the last good ones). Meant for cron, as root:
#   30 1 * * * root /opt/danvan/deploy/backup.sh && /opt/danvan/deploy/restore-check.sh
# Exit 0 when the dump is written and readable, 1 otherwise (nothing half-written is left).
set -euo pipefail

URL="${DANVAN_BACKUP_URL:-postgresql://danvan_backup@127.0.0.1:5432/danvan}"
DIR="${DANVAN_BACKUP_DIR:-/var/backups/danvan}"
PREFIX="${DANVAN_BACKUP_PREFIX:-danvan}"
KEEP_DAYS="${DANVAN_BACKUP_KEEP_DAYS:-14}"
KEEP_MIN="${DANVAN_BACKUP_KEEP_MIN:-7}"
# pg_dump must be at least the server's version: the cluster's own, not whatever is on PATH.
PG_BINDIR="${DANVAN_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
export PGPASSFILE="${PGPASSFILE:-/etc/danvan/pgpass}"

die() { printf 'SAO LƯU THẤT BẠI: %s\n' "$*" >&2; exit 1; }

case "$KEEP_DAYS$KEEP_MIN" in *[!0-9]* | "") die "DANVAN_BACKUP_KEEP_DAYS và DANVAN_BACKUP_KEEP_MIN phải là số nguyên." ;; esac
[ -x "$PG_BINDIR/pg_dump" ] || die "không tìm thấy $PG_BINDIR/pg_dump (gói Debian postgresql-client-15; hoặc đặt DANVAN_PG_BINDIR)."

umask 077
mkdir -p "$DIR"
chmod 700 "$DIR"

# One backup at a time: a slow night must not start a second dump beside the first.
exec 9>"$DIR/.lock"
flock -n 9 || die "một lần sao lưu khác đang chạy (khóa $DIR/.lock)."

name="$PREFIX-$(date +%Y%m%d-%H%M%S).dump"
partial="$DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT

started=$(date +%s)
# -w: never wait for a password prompt (cron has no terminal); a missing pgpass line fails now.
"$PG_BINDIR/pg_dump" -w -Fc -f "$partial" "$URL" \
    || die "pg_dump không chạy được với $URL (xem thông báo ở trên: mật khẩu trong $PGPASSFILE, quyền của vai trò, máy chủ)."
# A dump whose table of contents cannot be read is no backup.
"$PG_BINDIR/pg_restore" -l "$partial" >/dev/null || die "tệp vừa tạo không đọc lại được bằng pg_restore."
sync "$partial"
mv "$partial" "$DIR/$name"
(cd "$DIR" && sha256sum "$name" > "$name.sha256")
size=$(du -h "$DIR/$name" | cut -f1)
printf 'Đã sao lưu: %s (%s, %s giây).\n' "$DIR/$name" "$size" "$(( $(date +%s) - started ))"

# Retention: newest first; the first KEEP_MIN are never deleted.
removed=0
i=0
while IFS= read -r f; do
    i=$((i + 1))
    [ "$i" -le "$KEEP_MIN" ] && continue
    if [ -n "$(find "$f" -maxdepth 0 -mmin +$((KEEP_DAYS * 1440)))" ]; then
        rm -f "$f" "$f.sha256"
        removed=$((removed + 1))
    fi
done < <(find "$DIR" -maxdepth 1 -name "$PREFIX-*.dump" -type f | sort -r)
if [ "$removed" -gt 0 ]; then
    printf 'Đã xóa %s bản sao lưu cũ hơn %s ngày (luôn giữ %s bản mới nhất).\n' "$removed" "$KEEP_DAYS" "$KEEP_MIN"
fi
