#!/usr/bin/env bash
# Make sure OpenSSH's sshd is installed, so the SFTP integration tests run against a real server.
# Idempotent: does nothing when /usr/sbin/sshd is there. Installs with apt-get only as root; otherwise it
# warns and exits 0 (the SFTP tests then skip locally, saying why). Called by `make test` before pytest.
set -euo pipefail

SSHD=/usr/sbin/sshd

if command -v "$SSHD" >/dev/null 2>&1; then
    echo "ensure-sshd: $SSHD present, nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-sshd: WARNING: $SSHD missing and not root; not installing (SFTP tests will skip)" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-sshd: WARNING: $SSHD missing and no apt-get here; install openssh-server by hand" >&2
    exit 0
fi

echo "ensure-sshd: $SSHD missing; installing openssh-server with apt-get"
export DEBIAN_FRONTEND=noninteractive
# The tests start their own sshd on 127.0.0.1; keep the package from starting the system's sshd service on
# port 22 (policy-rc.d exit 101 = "not now"), unless the machine already has its own policy.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
command -v "$SSHD" >/dev/null 2>&1 || { echo "ensure-sshd: installation did not provide $SSHD" >&2; exit 1; }
echo "ensure-sshd: installed $("$SSHD" -V 2>&1 | head -n 1 || true)"
