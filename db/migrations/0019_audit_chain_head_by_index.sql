-- The audit chain's head is found by its primary key, not by scanning the heads table (issue 11's
-- "chain @ 64 connections"). Every audit-writing transaction updates one of the 64 head rows, so the
-- table's pages fill with dead versions that pruning and autovacuum free but never give back: measured
-- at 147 pages for 64 live rows after ~165k events, and the head lookup before this migration read and
-- sorted all of them on every transaction (2 ms in EXPLAIN ANALYZE; bench/notes.md, "Audit chain heads").
--
-- What stays the same: one transaction takes one chain that nobody holds (SKIP LOCKED) and keeps it for
-- its remaining events, starting at a chain that depends on its backend so connections spread over the
-- chains; only when every chain is held does it wait, for one. The head row is written once per
-- statement, now by one primary-key UPDATE per chain the statement wrote (a statement writes to one).
CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
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
    -- From this connection's own chain upwards, then from the first: index range scans on the primary
    -- key that touch only the live rows, however many dead versions the table holds.
    SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads
      WHERE chain >= pg_backend_pid() % 64 ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF c IS NULL THEN
      SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED;
    END IF;
    IF c IS NULL THEN
      SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads
        WHERE chain >= pg_backend_pid() % 64 ORDER BY chain LIMIT 1 FOR UPDATE;
    END IF;
    IF c IS NULL THEN
      SELECT chain, seq, hash INTO c, s, h FROM audit_chain_heads ORDER BY chain LIMIT 1 FOR UPDATE;
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
CREATE OR REPLACE FUNCTION audit_events_chain_heads() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  n record;
BEGIN
  -- One row per chain the statement wrote (its newest event), each applied by primary key; a join could
  -- be planned as a scan of the heads table, which is what this migration is about.
  FOR n IN SELECT DISTINCT ON (chain) chain, chain_seq, hash, id, at FROM new_events ORDER BY chain, chain_seq DESC LOOP
    UPDATE audit_chain_heads SET seq = n.chain_seq, hash = n.hash, event_id = n.id, at = n.at
    WHERE chain = n.chain AND seq < n.chain_seq;
  END LOOP;
  RETURN NULL;
END;
$$;
