-- A change to one token (a validation, a revocation, an expiry) keeps token_counts and user_stock with a
-- row-level trigger: at most two counter upserts for that token, no transition tables to build and scan,
-- and nothing at all for updates that change neither status nor holder (a sealed copy handed over).
-- Measured on the validation hot path, the statement-level trigger of 0003 cost about as much as the
-- rest of the statement (bench/notes.md). Bulk inserts (generate, 10,000 rows) keep 0003's statement-level
-- path: one upsert per status and per holder. Still in the change's transaction, so the counters stay exact.
DROP TRIGGER tokens_counts_update ON tokens;
--> statement-breakpoint
CREATE FUNCTION tokens_counts_row() RETURNS trigger AS $$
BEGIN
  IF OLD.status IS DISTINCT FROM NEW.status THEN
    -- Counter rows in a fixed order (status name), so concurrent writers cannot deadlock on them.
    INSERT INTO token_counts (shard, status, n)
      SELECT pg_backend_pid() % 64, s, d FROM (VALUES (OLD.status, -1), (NEW.status, 1)) v(s, d) ORDER BY s::text
    ON CONFLICT (shard, status) DO UPDATE SET n = token_counts.n + excluded.n;
  END IF;
  IF OLD.status = 'available' AND OLD.user_id IS NOT NULL THEN
    UPDATE user_stock SET available = available - 1 WHERE user_id = OLD.user_id;
  END IF;
  IF NEW.status = 'available' AND NEW.user_id IS NOT NULL THEN
    INSERT INTO user_stock (user_id, available) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET available = user_stock.available + 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER tokens_counts_row AFTER UPDATE OF status, user_id ON tokens
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION tokens_counts_row();
