-- The audit chain's head moves with the event that moves it, not in a statement trigger (issue 11's
-- "chain ÷ no chain ≥ 0.9× at 64 connections", which ran at 0.86-0.90 in full runs). Measured at the
-- database with pgbench, one audit event per transaction at 16 clients (bench/notes.md, "Audit chain: the
-- head written by the row trigger"): the statement trigger's transition table, its DISTINCT ON over it and
-- its loop, plus three transaction-local settings per event; this takes the chain's own cost from ~121 to
-- ~104 µs of machine time an event (6 rotated rounds against 0019 in one database).
--
-- Now the row trigger writes the head itself for a transaction's first few events on its chain (nearly
-- every transaction writes one or two), and carries the position in one setting, et_audit.head =
-- 'chain seq hash count[ p]'. Past those few, updating the same head row once per event would grow a chain
-- of row versions that every later update walks (a bulk insert of 50,000 events), so those events only
-- mark the setting pending (' p') and the statement trigger, which now fires only when that mark is set,
-- writes the head once from the statement's last event. Either way the head and the chain agree when
-- each statement ends; taking a chain (FOR UPDATE SKIP LOCKED, from this connection's own) is unchanged.
CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  held text := current_setting('et_audit.head', true);
  c smallint;
  s bigint;
  h bytea;
  n int := 0;
BEGIN
  IF held IS NOT NULL AND held <> '' THEN
    c := split_part(held, ' ', 1)::smallint;
    s := split_part(held, ' ', 2)::bigint;
    h := decode(split_part(held, ' ', 3), 'hex');
    n := split_part(held, ' ', 4)::int;
  ELSE
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
  END IF;
  n := n + 1;
  NEW.chain := c;
  NEW.chain_seq := s + 1;
  NEW.prev_hash := h;
  NEW.hash := sha256(convert_to(audit_event_canonical(NEW), 'UTF8'));
  IF n <= 8 THEN
    -- Only from where the head is: the setting is the session's to change, so a session that presets it
    -- moves no head backwards or past a gap, and takes no chain that another transaction holds.
    UPDATE audit_chain_heads SET seq = NEW.chain_seq, hash = NEW.hash, event_id = NEW.id, at = NEW.at
      WHERE chain = c AND seq = s AND hash = h;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit chain % is not at position %: et_audit.head was not set by this trigger', c, s;
    END IF;
    PERFORM set_config('et_audit.head', c || ' ' || NEW.chain_seq || ' ' || encode(NEW.hash, 'hex') || ' ' || n, true);
  ELSE
    PERFORM set_config('et_audit.head', c || ' ' || NEW.chain_seq || ' ' || encode(NEW.hash, 'hex') || ' ' || n || ' p', true);
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_events_chain_heads() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  held text := current_setting('et_audit.head', true);
  c smallint := split_part(held, ' ', 1)::smallint;
  s bigint := split_part(held, ' ', 2)::bigint;
  head_seq bigint;
  head_hash bytea;
  next_prev bytea;
  placed bigint;
BEGIN
  -- The events past the head must follow it without a gap, the first linking to it: the setting is the
  -- session's to change, and a preset one must not move a head past a gap or off its links.
  SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_heads WHERE chain = c FOR UPDATE;
  SELECT count(*), (array_agg(prev_hash) FILTER (WHERE chain_seq = head_seq + 1))[1] INTO placed, next_prev
    FROM audit_events WHERE chain = c AND chain_seq > head_seq AND chain_seq <= s;
  IF head_seq IS NULL OR s <= head_seq OR next_prev IS DISTINCT FROM head_hash OR placed <> s - head_seq THEN
    RAISE EXCEPTION 'audit chain % does not continue from its head to position %: et_audit.head was not set by this trigger', c, s;
  END IF;
  UPDATE audit_chain_heads h SET seq = e.chain_seq, hash = e.hash, event_id = e.id, at = e.at
    FROM audit_events e
    WHERE h.chain = c AND e.chain = c AND e.chain_seq = s;
  -- The trigger's WHEN saw the setting end in ' p': the head is written, so the mark goes.
  PERFORM set_config('et_audit.head', left(held, -2), true);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER audit_events_chain_heads ON audit_events;
--> statement-breakpoint
CREATE TRIGGER audit_events_chain_heads AFTER INSERT ON audit_events FOR EACH STATEMENT
  WHEN (split_part(current_setting('et_audit.head', true), ' ', 5) = 'p')
  EXECUTE FUNCTION audit_events_chain_heads();
