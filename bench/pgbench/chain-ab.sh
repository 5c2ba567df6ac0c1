#!/bin/bash
# One audit event per transaction with the chain on (as migrated) and off, on a scratch database made by
# chain-setup.ts (bench/notes.md, "Audit chain heads"). Usage, under the bench lock:
#   /work/helpers/bench bench/pgbench/chain-ab.sh <database url> <scripts dir> [seconds] [rounds]
# synchronous_commit is off for these sessions so that the WAL flush, the same with and without the
# chain, does not hide the chain's CPU cost. Prints the heads table's size: its dead versions are what
# migration 0019 stopped scanning.
set -euo pipefail
DB=$1 DIR=$2 T=${3:-6} ROUNDS=${4:-2}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
run() { # label
  for c in 1 16; do
    tps=$(PGOPTIONS='-c synchronous_commit=off' "$PGBENCH" -n -M prepared -T "$T" -c "$c" -j 2 -f "$DIR/insert.sql" "$DB" 2>/dev/null | awk '/^tps/ {print int($3)}')
    printf '%-28s c=%-3s %6s tps\n' "$1" "$c" "$tps"
  done
}
chain() { psql -q -X "$DB" -v ON_ERROR_STOP=1 -c "alter table audit_events $1 trigger audit_events_chain; alter table audit_events $1 trigger audit_events_chain_heads"; }
uptime
for _ in $(seq "$ROUNDS"); do
  run 'chain on'
  chain disable; run 'chain off'; chain enable
done
psql -X -At "$DB" -c "select 'audit_chain_heads: ' || pg_relation_size('audit_chain_heads') / 8192 || ' pages for ' || count(*) || ' rows' from audit_chain_heads"
uptime
