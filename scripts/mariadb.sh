#!/usr/bin/env bash
# A private MariaDB server for the test suite: its own data dir, port and socket, so it
# never touches a system database. Usage: scripts/mariadb.sh start|stop|status|url
set -euo pipefail

DB_DIR="${FACEAUTH_TEST_DB_DIR:-${TMPDIR:-/tmp}/faceauth-mariadb}"
PORT="${FACEAUTH_TEST_DB_PORT:-3307}"
SOCKET="$DB_DIR/mysqld.sock"
PIDFILE="$DB_DIR/mysqld.pid"
URL="mysql+pymysql://root@127.0.0.1:${PORT}/"

server_bin() { command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null || true; }

is_up() { [ -S "$SOCKET" ] && mariadb-admin --socket="$SOCKET" -uroot ping >/dev/null 2>&1; }

start() {
  if is_up; then echo "MariaDB already running on 127.0.0.1:$PORT"; return; fi
  local bin; bin="$(server_bin)"
  if [ -z "$bin" ]; then
    echo "MariaDB server not installed: run 'make setup' (apt-get install mariadb-server)" >&2
    exit 1
  fi
  mkdir -p "$DB_DIR"
  if [ ! -d "$DB_DIR/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$DB_DIR/data" --auth-root-authentication-method=normal \
      --skip-test-db --user="$(id -un)" >"$DB_DIR/install.log" 2>&1
  fi
  "$bin" --no-defaults --datadir="$DB_DIR/data" --socket="$SOCKET" --port="$PORT" \
    --bind-address=127.0.0.1 --pid-file="$PIDFILE" --user="$(id -un)" \
    --skip-name-resolve --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --log-error="$DB_DIR/error.log" >/dev/null 2>&1 &
  for _ in $(seq 1 60); do
    if is_up; then
      mariadb --socket="$SOCKET" -uroot -e \
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
      echo "MariaDB up on 127.0.0.1:$PORT ($DB_DIR)"; return
    fi
    sleep 0.5
  done
  echo "MariaDB did not start; see $DB_DIR/error.log" >&2
  tail -20 "$DB_DIR/error.log" >&2 || true
  exit 1
}

stop() {
  if is_up; then mariadb-admin --socket="$SOCKET" -uroot shutdown; echo "MariaDB stopped"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_up; then echo "up on 127.0.0.1:$PORT"; else echo "down"; exit 1; fi ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
