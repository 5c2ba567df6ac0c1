-- Two more rollups for the monitoring series (api/domain/series-rollup.ts), filled lazily by the readers
-- and the periodic sweep, never by the bedside path: no trigger, no index on tokens or audit_events.
--
-- Top users over the default 30-day window: validations per actor over the closed 15-minute slots in
-- [window_start, closed_until), as of the events with id <= max_id. A request ranks from the index below and
-- recounts exactly only the actors with events at the window's edges (the partial first slot, the open tail).
CREATE TABLE "series_top_totals" (
	"actor_id" uuid PRIMARY KEY NOT NULL,
	"validated" integer NOT NULL,
	"failed" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "series_top_totals_rank_idx" ON "series_top_totals" USING btree ("validated" DESC, "failed" DESC, "actor_id");
--> statement-breakpoint
CREATE TABLE "series_top_state" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL CHECK ("one"),
	"window_start" timestamp with time zone,
	"closed_until" timestamp with time zone,
	"max_id" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "series_top_state" ("one") VALUES (true);
--> statement-breakpoint
-- Stock over time: tokens entering (created) and leaving the usable stock (used, revoked, expired unused)
-- per 15-minute slot before closed_until; `available` is the stock at closed_until, `counted` how many
-- tokens were created before it (a back-dated insert shows as a difference and the rollup starts again).
CREATE TABLE "stock_slots" (
	"slot" timestamp with time zone PRIMARY KEY NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"revoked" integer DEFAULT 0 NOT NULL,
	"expired" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_rollup_state" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL CHECK ("one"),
	"closed_until" timestamp with time zone,
	"available" bigint DEFAULT 0 NOT NULL,
	"counted" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "stock_rollup_state" ("one") VALUES (true);
