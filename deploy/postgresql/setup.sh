#!/usr/bin/env bash
# Create (or complete) danvan's database and roles, then give each role that has no line in the
# pgpass file yet a random password and write it there. Run as root on the database machine:
#   deploy/postgresql/setup.sh
# Settings (environment): DANVAN_DB_NAME (danvan), DANVAN_PGPASS (/etc/danvan/pgpass),
# PGHOST/PGPORT as for any libpq program (default: the local socket, port 5432).
# To change a role's password: delete its line from the pgpass file, run this again, then
# restart the replicas (systemctl restart danvan@PORT, one by one).
set -euo pipefail

DB="${DANVAN_DB_NAME:-danvan}"
PGPASS="${DANVAN_PGPASS:-/etc/danvan/pgpass}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROLES=(danvan_owner danvan_app danvan_backup)

say() { printf '%s\n' "$*"; }
die() { printf 'LỖI: %s\n' "$*" >&2; exit 2; }

# The superuser's psql: peer authentication as the postgres user (Debian's default), so this
# script needs no password. The SQL comes on stdin, so the postgres user needs no access to
# this folder and no password ever appears in a process list.
admin_psql() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"
    else
        psql -X -q -v ON_ERROR_STOP=1 "$@"
    fi
}

case "$DB" in
    *[!a-z0-9_]* | "") die "tên cơ sở dữ liệu «$DB» không hợp lệ (chỉ chữ thường không dấu, chữ số và _)." ;;
esac
command -v psql >/dev/null || die "không tìm thấy psql: cài gói Debian postgresql-client-15 (hoặc postgresql)."

say "Tạo hoặc bổ sung cơ sở dữ liệu «$DB» và các vai trò danvan_owner, danvan_app, danvan_backup…"
admin_psql -v db="$DB" -f - < "$HERE/setup.sql" || die "không chạy được setup.sql (xem thông báo của PostgreSQL ở trên)."

# pgpass: root-only, one line per role: *:*:DB:ROLE:PASSWORD (any host and port, this database).
umask 077
mkdir -p "$(dirname "$PGPASS")"
touch "$PGPASS"
chmod 600 "$PGPASS"

new=()
for role in "${ROLES[@]}"; do
    if grep -q "^[^:]*:[^:]*:$DB:$role:" "$PGPASS"; then
        continue
    fi
    # 64 hex digits: nothing pgpass or SQL would need to escape.
    pw="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    # The password goes to the server on stdin; this session logs no statement, so it never
    # reaches the server's log (log_statement = 'ddl' in deploy/postgresql/danvan.conf).
    admin_psql -d "$DB" -f - <<SQL || die "không đặt được mật khẩu cho $role."
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = panic;
ALTER ROLE $role PASSWORD '$pw';
SQL
    printf '*:*:%s:%s:%s\n' "$DB" "$role" "$pw" >> "$PGPASS"
    new+=("$role")
done

if [ ${#new[@]} -gt 0 ]; then
    say "Đã đặt mật khẩu mới cho: ${new[*]}; đã ghi vào $PGPASS (chỉ root đọc được)."
else
    say "Các vai trò đã có mật khẩu trong $PGPASS; không đổi gì."
fi
say "Xong. Bước tiếp theo: chạy «systemctl start danvan-init» (etl init) với DANVAN_OWNER_DB trong /etc/danvan/danvan.env."
