#!/usr/bin/env bash
# PostgreSQL and Redis on loopback, for the scale-out tests (endpoints.scale-out.yml).
#
#   scripts/services.sh start       install what is missing, start both, print the env
#   scripts/services.sh stop        stop both (data is kept under .cache/services/)
#   scripts/services.sh status      exit 0 when both answer; prints the env then
#   scripts/services.sh restart-pg  restart PostgreSQL only (a database outage drill)
#   scripts/services.sh env         print the env without starting anything
#
# stdout carries only `export NAME=value` lines, so `eval "$(scripts/services.sh start)"`
# works; progress goes to stderr. Safe to run again and again, and by several
# processes at once (a lock file serialises them). Nothing here touches the
# machine's own PostgreSQL cluster or Redis: both run as throwaway instances
# on non-default ports, bound to 127.0.0.1, with data under .cache/services/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${BOT_SERVICES_DIR:-$ROOT/.cache/services}
PG_PORT=${BOT_SERVICES_PG_PORT:-55432}
REDIS_PORT=${BOT_SERVICES_REDIS_PORT:-56379}
PG_DB=vaccine_faq
PG_USER=vaccine_faq
REDIS_DB=1

PG_HOME=$STATE/pg
PG_DATA=$PG_HOME/data
PG_SOCK=$PG_HOME/run
PG_LOG=$PG_HOME/postgres.log
REDIS_HOME=$STATE/redis

log() { echo "services: $*" >&2; }
die() { echo "services: error: $*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# PostgreSQL refuses to run as root, so as root it runs as the `postgres`
# account the Debian package creates; anyone else runs it as themselves.
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bin() {
    local dir
    # The newest installed major version wins.
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

redis_bin() { command -v redis-server 2>/dev/null || { [[ -x /usr/bin/redis-server ]] && echo /usr/bin/redis-server; }; }

# ---------------------------------------------------------------- install

install_packages() {
    local missing=()
    pg_bin >/dev/null || missing+=(postgresql)
    { redis_bin >/dev/null && command -v redis-cli >/dev/null; } || missing+=(redis-server)
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local sudo=()
    if ! is_root; then
        if ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
            die "need root (or passwordless sudo) to install: ${missing[*]}"
        fi
        sudo=(sudo -n)
    fi

    # The packages' own services must not start: they would take the default
    # ports and we start our own instances anyway. policy-rc.d answering 101
    # is Debian's documented switch for that; put one in only for this install.
    local policy=/usr/sbin/policy-rc.d placed=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        placed=1
        # shellcheck disable=SC2064  # expand now: the locals are gone at exit
        trap "${sudo[*]} rm -f $policy" EXIT
    fi

    log "installing ${missing[*]} (apt)"
    local t0=$SECONDS
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
    if [[ $placed -eq 1 ]]; then
        "${sudo[@]}" rm -f "$policy"
        trap - EXIT
    fi
    log "installed in $((SECONDS - t0))s"
    pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
    redis_bin >/dev/null || die "redis-server installed but not on PATH"
}

# ---------------------------------------------------------------- PostgreSQL

pg_password() {
    # Made once per data dir; a throwaway credential for a loopback-only server.
    local file=$PG_HOME/password
    if [[ ! -s $file ]]; then
        mkdir -p "$PG_HOME"
        (umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
    fi
    cat "$file"
}

pg_running() {
    local bin
    bin=$(pg_bin) || return 1
    [[ -f $PG_DATA/PG_VERSION ]] && as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_prepare_dirs() {
    mkdir -p "$PG_HOME" "$PG_SOCK"
    if is_root; then
        chown postgres:postgres "$PG_HOME" "$PG_SOCK"
        [[ -d $PG_DATA ]] && chown -R postgres:postgres "$PG_DATA"
        # The postgres account must be able to reach the data dir through
        # every parent; a checkout under a private home would not allow that.
        runuser -u postgres -- test -w "$PG_HOME" \
            || die "the postgres account cannot write $PG_HOME (a parent directory is not searchable); set BOT_SERVICES_DIR to a directory it can reach, e.g. /var/tmp/bot-services"
    fi
    chmod 700 "$PG_SOCK"
    # The socket path is limited to ~107 bytes by the kernel.
    [[ ${#PG_SOCK} -lt 90 ]] || die "socket dir path too long ($PG_SOCK); set BOT_SERVICES_DIR to a shorter path"
}

pg_init() {
    local bin=$1
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    log "initdb $PG_DATA"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    is_root && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    # Local socket connections (owner-only directory) are trusted, so this
    # script can manage roles; TCP clients need the password.
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1 \
        || { cat "$PG_HOME/initdb.log" >&2; die "initdb failed"; }
    # In postgresql.conf rather than on the pg_ctl command line, so that a
    # plain `pg_ctl restart` keeps them.
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF

# scripts/services.sh: a throwaway test instance on loopback
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

pg_psql() {
    local bin=$1; shift
    as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_ensure_role() {
    local bin=$1 pw
    pw=$(pg_password)
    local has_role has_db
    has_role=$(pg_psql "$bin" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")
    if [[ $has_role != 1 ]]; then
        pg_psql "$bin" -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$pw'"
    else
        pg_psql "$bin" -c "ALTER ROLE $PG_USER LOGIN PASSWORD '$pw'"
    fi
    has_db=$(pg_psql "$bin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
    [[ $has_db == 1 ]] || pg_psql "$bin" -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
}

port_taken() {
    # bash's /dev/tcp: no extra tool needed to see whether something listens.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
    local bin
    bin=$(pg_bin) || die "PostgreSQL binaries not found"
    pg_prepare_dirs
    pg_password >/dev/null
    pg_init "$bin"
    if ! pg_running; then
        port_taken "$PG_PORT" && die "port $PG_PORT is taken by another program; set BOT_SERVICES_PG_PORT"
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        # 9>&-: the daemon must not inherit the lock file, or it would hold the lock for its lifetime.
        as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&- \
            || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start; see $PG_LOG"; }
    fi
    pg_ensure_role "$bin"
}

pg_stop() {
    local bin
    bin=$(pg_bin) || return 0
    if pg_running; then
        log "stopping PostgreSQL"
        as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    fi
}

pg_restart() {
    local bin
    bin=$(pg_bin) || die "PostgreSQL binaries not found"
    pg_running || die "PostgreSQL is not running; use start"
    log "restarting PostgreSQL"
    # -m fast: open sessions are cut, as in a real failover or crash restart.
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t 60 restart >/dev/null 9>&-
}

# ---------------------------------------------------------------- Redis

redis_password() {
    local file=$REDIS_HOME/password
    if [[ ! -s $file ]]; then
        mkdir -p "$REDIS_HOME"
        (umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
    fi
    cat "$file"
}

redis_cli() {
    # The password goes through the environment, not argv, so `ps` never shows it.
    REDISCLI_AUTH=$(redis_password) redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

redis_running() {
    command -v redis-cli >/dev/null && [[ $(redis_cli ping 2>/dev/null) == PONG ]]
}

redis_start() {
    local bin
    bin=$(redis_bin) || die "redis-server not found"
    mkdir -p "$REDIS_HOME"
    redis_running && return 0
    port_taken "$REDIS_PORT" && die "port $REDIS_PORT is taken by another program; set BOT_SERVICES_REDIS_PORT"
    # The password sits in a config file readable by its owner only.
    (umask 077; printf 'requirepass %s\n' "$(redis_password)" >"$REDIS_HOME/redis.conf")
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    "$bin" "$REDIS_HOME/redis.conf" --bind 127.0.0.1 --port "$REDIS_PORT" \
        --save '' --appendonly no --daemonize yes --dir "$REDIS_HOME" \
        --pidfile "$REDIS_HOME/redis.pid" --logfile "$REDIS_HOME/redis.log" 9>&- \
        || die "redis-server did not start; see $REDIS_HOME/redis.log"
    local _
    for _ in $(seq 50); do
        redis_running && return 0
        sleep 0.1
    done
    die "Redis did not answer within 5s; see $REDIS_HOME/redis.log"
}

redis_stop() {
    redis_running || return 0
    log "stopping Redis"
    redis_cli shutdown nosave >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- commands

print_env() {
    printf 'export %s=%q\n' \
        BOT_PG_HOST 127.0.0.1 \
        BOT_PG_PORT "$PG_PORT" \
        BOT_PG_DB "$PG_DB" \
        BOT_PG_USER "$PG_USER" \
        BOT_PG_PASSWORD "$(pg_password)" \
        BOT_REDIS_HOST 127.0.0.1 \
        BOT_REDIS_PORT "$REDIS_PORT" \
        BOT_REDIS_DB "$REDIS_DB" \
        BOT_REDIS_PASSWORD "$(redis_password)"
}

with_lock() {
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 300 9 || die "another services.sh holds $STATE/.lock"
    "$@"
}

cmd_start() {
    local t0=$SECONDS
    install_packages
    pg_start
    redis_start
    log "ready in $((SECONDS - t0))s"
    print_env
}

cmd_stop() {
    pg_stop
    redis_stop
}

cmd_status() {
    local ok=0
    if pg_running; then log "PostgreSQL: running on 127.0.0.1:$PG_PORT"; else log "PostgreSQL: stopped"; ok=3; fi
    if redis_running; then log "Redis: running on 127.0.0.1:$REDIS_PORT"; else log "Redis: stopped"; ok=3; fi
    [[ $ok -eq 0 ]] && print_env
    return $ok
}

cmd_env() {
    print_env
}

case ${1:-} in
    start) with_lock cmd_start ;;
    stop) with_lock cmd_stop ;;
    status) cmd_status ;;
    restart-pg) with_lock pg_restart ;;
    env) cmd_env ;;
    *) echo "usage: $0 start|stop|status|restart-pg|env" >&2; exit 2 ;;
esac
