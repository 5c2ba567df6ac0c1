-- Stock over time (issue 10): the rollup's "revoked at or after its expiry" term (series-stock.ts,
-- tokenMoves) asks for revoked tokens whose expiry falls in a time range. Without an index on that
-- expiry it read every revoked token on every rollup, and since the rollup's cutoff stopped being rounded
-- to a slot edge every stock request rolls up: the bench's 100k revoked tokens made it the largest part
-- of the request (bench/notes.md). Validation never writes a revoked token, so the bedside path does not
-- pay for it.
CREATE INDEX IF NOT EXISTS "tokens_revoked_expiry_idx" ON "tokens" USING btree ("expires_at") WHERE "tokens"."status" = 'revoked';
