-- The monitoring series (validations and requests per day and per hour, top users by use) read
-- audit_events by action and time. Carrying outcome and actor_id in the existing (action, at, id) index
-- makes them index-only scans over one range per action, instead of a heap visit per event; rebuilding
-- the index, rather than adding one, keeps the bedside path's write cost where it was.
DROP INDEX IF EXISTS "audit_action_at_idx";
--> statement-breakpoint
CREATE INDEX "audit_action_at_idx" ON "audit_events" USING btree ("action", "at", "id") INCLUDE ("outcome", "actor_id");
