-- Monitoring's two remaining counts over many rows, kept in the change's own transaction like token_counts
-- (0003, 0016), so GET /monitoring reads a few dozen rows instead of counting ~100k after a busy spell
-- (bench/notes.md, "Monitoring summary"):
--   grant_counts: grants not yet reviewed, per shard (the writing backend's pid modulo 64, so concurrent
--     validations on different connections never wait on one hot row). Read as a sum.
--   token_use_hours: tokens in status 'used' per UTC hour of used_at, per shard. "Used in the last 24 h"
--     sums the whole hours after the cutoff's hour and counts the cutoff's own hour exactly in tokens
--     (tokens_used_at_idx), so the number stays exact to the microsecond.
-- The triggers run in the writer's transaction; the table locks keep writes out until the backfill and the
-- triggers commit together.
LOCK TABLE "grants", "tokens" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TABLE "grant_counts" (
	"shard" smallint PRIMARY KEY NOT NULL,
	"unreviewed" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "token_use_hours" (
	"hour" timestamp with time zone NOT NULL,
	"shard" smallint NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "token_use_hours_hour_shard_pk" PRIMARY KEY("hour","shard")
);
--> statement-breakpoint
CREATE FUNCTION grants_unreviewed_row() RETURNS trigger AS $$
DECLARE
  d int := 0;
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.reviewed_at IS NULL THEN d := d - 1; END IF;
  IF TG_OP <> 'DELETE' AND NEW.reviewed_at IS NULL THEN d := d + 1; END IF;
  IF d <> 0 THEN
    INSERT INTO grant_counts (shard, unreviewed) VALUES (pg_backend_pid() % 64, d)
    ON CONFLICT (shard) DO UPDATE SET unreviewed = grant_counts.unreviewed + excluded.unreviewed;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER grants_unreviewed_insert AFTER INSERT ON grants
  FOR EACH ROW WHEN (NEW.reviewed_at IS NULL) EXECUTE FUNCTION grants_unreviewed_row();
--> statement-breakpoint
CREATE TRIGGER grants_unreviewed_update AFTER UPDATE OF reviewed_at ON grants
  FOR EACH ROW WHEN ((OLD.reviewed_at IS NULL) <> (NEW.reviewed_at IS NULL)) EXECUTE FUNCTION grants_unreviewed_row();
--> statement-breakpoint
CREATE TRIGGER grants_unreviewed_delete AFTER DELETE ON grants
  FOR EACH ROW WHEN (OLD.reviewed_at IS NULL) EXECUTE FUNCTION grants_unreviewed_row();
--> statement-breakpoint
-- The hour a used token counts in (UTC, whatever the session's time zone); api/domain/monitoring.ts reads
-- with the same function.
CREATE FUNCTION token_use_hour(used_at timestamptz) RETURNS timestamptz AS $$
  SELECT date_trunc('hour', used_at, 'UTC')
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
-- Statement level for inserts and deletes (0003): one upsert per hour, as for the status counts.
CREATE FUNCTION tokens_use_hours_statement() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO token_use_hours (hour, shard, n)
      SELECT token_use_hour(used_at), pg_backend_pid() % 64, count(*) FROM new_rows
      WHERE status = 'used' AND used_at IS NOT NULL GROUP BY 1 ORDER BY 1
    ON CONFLICT (hour, shard) DO UPDATE SET n = token_use_hours.n + excluded.n;
  ELSE
    INSERT INTO token_use_hours (hour, shard, n)
      SELECT token_use_hour(used_at), pg_backend_pid() % 64, -count(*) FROM old_rows
      WHERE status = 'used' AND used_at IS NOT NULL GROUP BY 1 ORDER BY 1
    ON CONFLICT (hour, shard) DO UPDATE SET n = token_use_hours.n + excluded.n;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER tokens_use_hours_insert AFTER INSERT ON tokens
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tokens_use_hours_statement();
--> statement-breakpoint
CREATE TRIGGER tokens_use_hours_delete AFTER DELETE ON tokens
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tokens_use_hours_statement();
--> statement-breakpoint
-- A single-token change (the validation) goes through 0016's row trigger, which now also moves the token
-- between hours of use: no second trigger on the bedside path.
CREATE OR REPLACE FUNCTION tokens_counts_row() RETURNS trigger AS $$
DECLARE
  old_hour timestamptz := CASE WHEN OLD.status = 'used' THEN token_use_hour(OLD.used_at) END;
  new_hour timestamptz := CASE WHEN NEW.status = 'used' THEN token_use_hour(NEW.used_at) END;
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
  IF old_hour IS DISTINCT FROM new_hour THEN
    INSERT INTO token_use_hours (hour, shard, n)
      SELECT h, pg_backend_pid() % 64, d FROM (VALUES (old_hour, -1), (new_hour, 1)) v(h, d) WHERE h IS NOT NULL ORDER BY h
    ON CONFLICT (hour, shard) DO UPDATE SET n = token_use_hours.n + excluded.n;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER tokens_counts_row ON tokens;
--> statement-breakpoint
CREATE TRIGGER tokens_counts_row AFTER UPDATE OF status, user_id, used_at ON tokens
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.used_at IS DISTINCT FROM NEW.used_at)
  EXECUTE FUNCTION tokens_counts_row();
--> statement-breakpoint
INSERT INTO grant_counts (shard, unreviewed) SELECT 0, count(*) FROM grants WHERE reviewed_at IS NULL;
--> statement-breakpoint
INSERT INTO token_use_hours (hour, shard, n)
  SELECT token_use_hour(used_at), 0, count(*) FROM tokens WHERE status = 'used' AND used_at IS NOT NULL GROUP BY 1;
