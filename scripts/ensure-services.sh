#!/usr/bin/env bash
# Start the local PostgreSQL and RabbitMQ if they are not running (CI and fresh machines).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached || true
    for _ in $(seq 1 90); do rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break; sleep 1; done
fi
# A previous fault test may have left the app stopped while the node runs.
if ! rabbitmqctl -q status >/dev/null 2>&1 || ! rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then
    rabbitmqctl -q start_app || true
fi
rabbitmq-diagnostics -q ping >/dev/null
pg_isready -h 127.0.0.1 -p 5432
