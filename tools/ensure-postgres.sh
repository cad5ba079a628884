#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server is installed, so the store and worker tests run against a real server.
# Idempotent: does nothing when initdb and pg_ctl are there. Installs with apt-get only as root; otherwise it
# warns and exits 0 (the PostgreSQL tests then skip locally, saying why; under CI they fail instead).
# The tests start their own throwaway cluster on 127.0.0.1 (tests/integration/postgres.py), so the package
# must not start (or keep) a system cluster on port 5432. Called by `make test` before pytest.
set -euo pipefail

found() {
    local bin
    for bin in /usr/lib/postgresql/*/bin; do
        if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]; then
            echo "$bin"
            return 0
        fi
    done
    return 1
}

if bin=$(found); then
    echo "ensure-postgres: $bin/initdb present, nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-postgres: WARNING: PostgreSQL missing and not root; not installing (PostgreSQL tests will skip)" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-postgres: WARNING: PostgreSQL missing and no apt-get here; install postgresql by hand" >&2
    exit 0
fi

echo "ensure-postgres: PostgreSQL missing; installing postgresql with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Keep the package from starting the system's cluster (policy-rc.d exit 101 = "not now"), unless the machine
# already has its own policy; and from creating one at all (postgresql-common's createcluster.conf).
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
mkdir -p /etc/postgresql-common
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
bin=$(found) || { echo "ensure-postgres: installation did not provide initdb" >&2; exit 1; }
# A cluster the package started anyway (no policy-rc.d honoured) is stopped: the tests need none.
if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version name _ status _; do
        if [ "$status" = "online" ]; then
            pg_ctlcluster "$version" "$name" stop || true
        fi
    done
fi
echo "ensure-postgres: installed $("$bin/postgres" --version 2>/dev/null || echo PostgreSQL)"
