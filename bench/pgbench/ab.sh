#!/bin/bash
# A/B runs of the validation statement against the one-UPDATE floor on a scratch database made by
# setup.ts (bench/notes.md, "Issue 12, next costs"). Usage, under the bench lock:
#   /work/helpers/bench bench/pgbench/ab.sh <database url> <scripts dir> [seconds]
# Each variant changes the schema, runs at 16 and 64 clients, and puts the schema back.
# setup.ts's 1M tokens last about one run of 8 s per variant: past them every UPDATE misses and the tps
# shoots up (the last 'floor, again' line of the first run did); add tokens 'h' || n beyond ab_seq first.
set -euo pipefail
DB=$1 DIR=$2 T=${3:-8}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
q() { psql -q -X "$DB" -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
run() { # label script
  for c in 16 64; do
    tps=$("$PGBENCH" -n -M prepared -T "$T" -c "$c" -j 2 -f "$DIR/$2" "$DB" 2>/dev/null | awk '/^tps/ {print int($3)}')
    printf '%-44s c=%-3s %6s tps\n' "$1" "$c" "$tps"
  done
}
hot() { psql -X -At "$DB" -c "select n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where relname = 'tokens'"; }
uptime
echo "tokens updates, HOT updates before: $(hot)"
run 'floor: one UPDATE ... RETURNING' floor.sql
run 'validate statement (as sent)' validate.sql

q "drop index audit_outcome_at_idx; drop index audit_token_idx"
run 'validate, audit: no outcome_at, no token idx' validate.sql
q "drop index audit_at_idx; drop index audit_action_at_idx; drop index audit_actor_at_idx; drop index audit_subject_at_idx"
run 'validate, audit: pkey + chain_seq only' validate.sql
q "alter table audit_events disable trigger audit_events_chain; alter table audit_events disable trigger audit_events_chain_heads; drop index audit_chain_seq_idx"
run 'validate, audit: pkey only, no chain trigger' validate.sql
q "alter table audit_events enable trigger audit_events_chain; alter table audit_events enable trigger audit_events_chain_heads"
run 'validate, audit: pkey only, chain trigger' validate.sql
echo "(restoring audit indexes)"
q "create unique index audit_chain_seq_idx on audit_events (chain, chain_seq) where chain >= 0" # old rows of the no-trigger run have chain -1
q "create index audit_at_idx on audit_events (at, id); create index audit_action_at_idx on audit_events (action, at, id) include (outcome, actor_id); create index audit_actor_at_idx on audit_events (actor_id, at, id); create index audit_subject_at_idx on audit_events (subject_user_id, at, id); create index audit_outcome_at_idx on audit_events (outcome, at, id); create index audit_token_idx on audit_events (token_id)"
run 'validate statement (as sent), again' validate.sql

q "drop index tokens_user_hash_idx"
run 'floor, tokens: no user_hash idx' floor.sql
run 'validate, tokens: no user_hash idx' validate.sql
q "drop index tokens_status_created_idx; drop index tokens_user_created_idx; drop index tokens_used_at_idx"
run 'floor, tokens: no user_hash/status/user/used idx' floor.sql
run 'validate, tokens: no user_hash/status/user/used idx' validate.sql
echo "(restoring tokens indexes)"
q "create index tokens_user_hash_idx on tokens (user_id, hash); create index tokens_status_created_idx on tokens (status, created_at, id); create index tokens_user_created_idx on tokens (user_id, created_at, id); create index tokens_used_at_idx on tokens (used_at) where status = 'used'"
run 'floor, again' floor.sql
echo "tokens updates, HOT updates after: $(hot)"
uptime
