CREATE TABLE "audit_chain_heads" (
	"chain" smallint PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"hash" "bytea" DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea NOT NULL,
	"event_id" bigint,
	"at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"heads" jsonb NOT NULL,
	"prev_mac" text,
	"key_id" text NOT NULL,
	"mac" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "chain" smallint DEFAULT -1 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "chain_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "prev_hash" "bytea" DEFAULT '\x'::bytea NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" "bytea" DEFAULT '\x'::bytea NOT NULL;--> statement-breakpoint
-- The audit hash chains (issue 11). Every event is placed on one of the chains in audit_chain_heads and
-- carries prev_hash (the hash of the event before it on that chain) and hash = SHA-256 of its canonical
-- text (audit_event_canonical, which ends with prev_hash), so changing, removing or inserting an event
-- breaks a link the verifier (api/domain/audit-verify.ts) finds.
--
-- Why many chains: one chain would make every transaction that writes an audit event wait for the one
-- before it to commit (the head row stays locked until commit). Each transaction takes one chain that
-- nobody holds (FOR UPDATE SKIP LOCKED) and keeps it for its remaining events, so one transaction never
-- holds two heads and two never deadlock on heads. Only when every chain is held does a transaction wait,
-- for one. On a chain, order is commit order.
--
-- Within a transaction the chain's position is carried in transaction-local settings (et_audit.*) rather
-- than by updating the head row per event: a row updated many times in one transaction (a bulk insert)
-- grows a chain of versions each update must walk. The head row is written once per statement, by the
-- statement trigger below, from the statement's new events.
CREATE FUNCTION audit_event_canonical(e audit_events) RETURNS text
LANGUAGE sql STABLE AS $$
  -- The verifier builds the same text from the columns on its own (auditCanonicalSql); a change here is
  -- a new version tag and a change there.
  SELECT jsonb_build_array('et-audit-v1', e.chain, e.chain_seq, e.id,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.action, e.outcome, e.actor_id,
    e.subject_user_id, e.token_id, e.request_id, e.grant_id, e.ip, e.details, encode(e.prev_hash, 'hex'))::text
$$;
--> statement-breakpoint
-- SECURITY DEFINER: the runtime role may read the heads but not write them; it moves a head only by
-- inserting an event. search_path is pinned so the caller cannot substitute a table or function.
CREATE FUNCTION audit_events_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  held text := current_setting('et_audit.chain', true);
  c smallint;
  s bigint;
  h bytea;
BEGIN
  IF held IS NOT NULL AND held <> '' THEN
    c := held::smallint;
    s := current_setting('et_audit.seq')::bigint;
    h := decode(current_setting('et_audit.hash'), 'hex');
  ELSE
    -- Start where this connection usually writes, so connections spread over the chains.
    SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads
      ORDER BY (chain + pg_backend_pid()) % 64, chain LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF c IS NULL THEN
      SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads
        ORDER BY (chain + pg_backend_pid()) % 64, chain LIMIT 1 FOR UPDATE;
    END IF;
    IF c IS NULL THEN
      RAISE EXCEPTION 'audit_chain_heads is empty: no chain to place the audit event on';
    END IF;
    PERFORM set_config('et_audit.chain', c::text, true);
  END IF;
  NEW.chain := c;
  NEW.chain_seq := s + 1;
  NEW.prev_hash := h;
  NEW.hash := sha256(convert_to(audit_event_canonical(NEW), 'UTF8'));
  PERFORM set_config('et_audit.seq', NEW.chain_seq::text, true);
  PERFORM set_config('et_audit.hash', encode(NEW.hash, 'hex'), true);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION audit_events_chain_heads() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE audit_chain_heads h SET seq = n.chain_seq, hash = n.hash, event_id = n.id, at = n.at
  FROM (SELECT DISTINCT ON (chain) chain, chain_seq, hash, id, at FROM new_events ORDER BY chain, chain_seq DESC) n
  WHERE h.chain = n.chain AND n.chain_seq > h.seq;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The events written before this migration become the start of chain 0, in id order.
DO $$
DECLARE
  e audit_events;
  prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
  n bigint := 0;
  last_id bigint;
  last_at timestamptz;
BEGIN
  INSERT INTO audit_chain_heads (chain) SELECT generate_series(0, 63);
  ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete;
  FOR e IN SELECT * FROM audit_events ORDER BY id LOOP
    n := n + 1;
    e.chain := 0;
    e.chain_seq := n;
    e.prev_hash := prev;
    e.hash := sha256(convert_to(audit_event_canonical(e), 'UTF8'));
    UPDATE audit_events SET chain = 0, chain_seq = n, prev_hash = prev, hash = e.hash WHERE id = e.id;
    prev := e.hash;
    last_id := e.id;
    last_at := e.at;
  END LOOP;
  ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete;
  IF n > 0 THEN
    UPDATE audit_chain_heads SET seq = n, hash = prev, event_id = last_id, at = last_at WHERE chain = 0;
  END IF;
END;
$$;
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_seq_idx" ON "audit_events" USING btree ("chain","chain_seq");
--> statement-breakpoint
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_chain();
--> statement-breakpoint
CREATE TRIGGER audit_events_chain_heads AFTER INSERT ON audit_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_chain_heads();
--> statement-breakpoint
-- The checkpoints are append-only too (the guard names the table it refuses).
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

