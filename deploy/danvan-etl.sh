#!/usr/bin/env bash
# `python -m etl` with the replicas' settings (/etc/danvan/danvan.env) and passwords
# (/etc/danvan/pgpass), for an operator on the server:
#   deploy/danvan-etl.sh user add lanhdao --role leader
#   deploy/danvan-etl.sh load bao-cao/*.xlsx
#   deploy/danvan-etl.sh --owner init --registry national    (changes the schema: the owner role)
# Run as root (the pgpass file is root's). Settings: DANVAN_APP_DIR (this file's parent folder),
# DANVAN_PYTHON (its .venv), DANVAN_ENV_FILE, PGPASSFILE.
set -euo pipefail

APP_DIR="${DANVAN_APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${DANVAN_PYTHON:-$APP_DIR/.venv/bin/python}"
ENV_FILE="${DANVAN_ENV_FILE:-/etc/danvan/danvan.env}"
export PGPASSFILE="${PGPASSFILE:-/etc/danvan/pgpass}"

die() { printf 'LỖI: %s\n' "$*" >&2; exit 2; }

[ -r "$ENV_FILE" ] || die "không đọc được $ENV_FILE (xem deploy/systemd/danvan.env.example)."
[ -x "$PYTHON" ] || die "không tìm thấy $PYTHON (cài đặt: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt)."
# Read as systemd reads it (EnvironmentFile=), not sourced: a value is taken literally, so an
# address with "&" or "$" in it means the same here as in the services.
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in "" | "#"* | ";"*) continue ;; esac
    key="${line%%=*}"
    [[ "$line" == *=* && "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "dòng không hợp lệ trong $ENV_FILE: $line"
    export "$key=${line#*=}"
done < "$ENV_FILE"

url="${DANVAN_DB:-}"
if [ "${1:-}" = "--owner" ]; then
    shift
    url="${DANVAN_OWNER_DB:-}"
    [ -n "$url" ] || die "chưa đặt DANVAN_OWNER_DB trong $ENV_FILE."
fi
[ -n "$url" ] || die "chưa đặt DANVAN_DB trong $ENV_FILE."

cd "$APP_DIR"
exec "$PYTHON" -m etl --db "$url" "$@"
