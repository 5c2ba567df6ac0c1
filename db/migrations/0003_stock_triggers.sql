-- Keep token_counts and user_stock in step with tokens, inside the same transaction as every change.
-- Statement-level triggers with transition tables: a bulk insert of 10,000 tokens costs one upsert per
-- status, not 10,000. Counter rows are locked in a fixed order (status, user id) so that concurrent
-- writers cannot deadlock on them.
CREATE FUNCTION tokens_counts_apply(deltas_status jsonb, deltas_user jsonb) RETURNS void AS $$
BEGIN
  INSERT INTO token_counts (shard, status, n)
    SELECT pg_backend_pid() % 64, (d->>'status')::token_status, (d->>'n')::bigint
    FROM jsonb_array_elements(deltas_status) d
    ORDER BY d->>'status'
  ON CONFLICT (shard, status) DO UPDATE SET n = token_counts.n + excluded.n;
  INSERT INTO user_stock (user_id, available)
    SELECT (d->>'user_id')::uuid, (d->>'n')::int
    FROM jsonb_array_elements(deltas_user) d
    ORDER BY d->>'user_id'
  ON CONFLICT (user_id) DO UPDATE SET available = user_stock.available + excluded.available;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE FUNCTION tokens_counts_trigger() RETURNS trigger AS $$
DECLARE
  by_status jsonb;
  by_user jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object('status', status, 'n', n)), '[]') INTO by_status
      FROM (SELECT status, count(*) AS n FROM new_rows GROUP BY status) s;
    SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', user_id, 'n', n)), '[]') INTO by_user
      FROM (SELECT user_id, count(*) AS n FROM new_rows WHERE status = 'available' AND user_id IS NOT NULL GROUP BY user_id) s;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object('status', status, 'n', n)), '[]') INTO by_status
      FROM (SELECT status, sum(d) AS n FROM (
              SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
            GROUP BY status HAVING sum(d) <> 0) s;
    SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', user_id, 'n', n)), '[]') INTO by_user
      FROM (SELECT user_id, sum(d) AS n FROM (
              SELECT user_id, 1 AS d FROM new_rows WHERE status = 'available' AND user_id IS NOT NULL
              UNION ALL
              SELECT user_id, -1 FROM old_rows WHERE status = 'available' AND user_id IS NOT NULL) x
            GROUP BY user_id HAVING sum(d) <> 0) s;
  ELSE
    SELECT coalesce(jsonb_agg(jsonb_build_object('status', status, 'n', -n)), '[]') INTO by_status
      FROM (SELECT status, count(*) AS n FROM old_rows GROUP BY status) s;
    SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', user_id, 'n', -n)), '[]') INTO by_user
      FROM (SELECT user_id, count(*) AS n FROM old_rows WHERE status = 'available' AND user_id IS NOT NULL GROUP BY user_id) s;
  END IF;
  IF by_status <> '[]' OR by_user <> '[]' THEN
    PERFORM tokens_counts_apply(by_status, by_user);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER tokens_counts_insert AFTER INSERT ON tokens
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tokens_counts_trigger();
--> statement-breakpoint
CREATE TRIGGER tokens_counts_update AFTER UPDATE ON tokens
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tokens_counts_trigger();
--> statement-breakpoint
CREATE TRIGGER tokens_counts_delete AFTER DELETE ON tokens
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tokens_counts_trigger();
--> statement-breakpoint
-- Every user has a stock row, so low-stock users (including those with none) are one index scan.
CREATE FUNCTION users_stock_row() RETURNS trigger AS $$
BEGIN
  INSERT INTO user_stock (user_id, available) SELECT id, 0 FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_stock_row AFTER INSERT ON users
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION users_stock_row();
--> statement-breakpoint
-- Backfill for databases that already hold tokens and users.
INSERT INTO user_stock (user_id, available)
  SELECT u.id, (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.status = 'available') FROM users u
  ON CONFLICT (user_id) DO UPDATE SET available = excluded.available;
--> statement-breakpoint
INSERT INTO token_counts (shard, status, n) SELECT 0, status, count(*) FROM tokens GROUP BY status
  ON CONFLICT (shard, status) DO UPDATE SET n = excluded.n;
--> statement-breakpoint
UPDATE grants g SET reviewed_at = r.reviewed_at FROM grant_reviews r WHERE r.grant_id = g.id AND g.reviewed_at IS NULL;
