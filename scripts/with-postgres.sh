#!/usr/bin/env bash
# Runs its arguments with DATABASE_URL pointing at a PostgreSQL server. When DATABASE_URL is already
# set it is used as is; otherwise a throwaway cluster is started from the machine's PostgreSQL 15
# binaries in a temp dir on a free port (as the `postgres` user when run as root, since PostgreSQL
# refuses root), and stopped and deleted on exit.
#   scripts/with-postgres.sh cargo test --workspace
set -euo pipefail

if [[ -n "${DATABASE_URL:-}" ]]; then
    export FUPIN_REQUIRE_PG=1
    exec "$@"
fi

pgbin=${PG_BIN:-}
if [[ -z "$pgbin" ]]; then
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" ]] && pgbin=$d
    done
fi
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        echo "with-postgres: installing PostgreSQL (apt-get)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 || {
            apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
        }
        for d in /usr/lib/postgresql/*/bin; do
            [[ -x "$d/initdb" ]] && pgbin=$d
        done
    fi
fi
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
    echo "with-postgres: no PostgreSQL binaries found (set PG_BIN or DATABASE_URL)" >&2
    exit 1
fi

tmp=$(mktemp -d /tmp/fupin-pg.XXXXXX)
as_pg=()
if [[ $(id -u) == 0 ]]; then
    chown postgres: "$tmp"
    as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

cleanup() {
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$pgbin/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
    || "${as_pg[@]}" "$pgbin/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -w -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" \
    -l "$tmp/log" start >/dev/null || { cat "$tmp/log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
export FUPIN_REQUIRE_PG=1
set +e
"$@"
rc=$?
set -e
exit $rc
