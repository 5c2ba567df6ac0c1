-- Rollups of the audit trail for the monitoring series (api/domain/series-rollup.ts), so a 30-day chart
-- sums a few thousand small rows instead of scanning every event of the month. Filled lazily by the
-- readers, never by the bedside path (no trigger on audit_events: validation's cost stays where it was).
--
-- series_slots: validations and requests per 15-minute slot (UTC). Every zone's offset and DST switch
-- is a multiple of 15 minutes, so a slot lies inside one local hour or day of any zone.
CREATE TABLE "series_slots" (
	"slot" timestamp with time zone PRIMARY KEY NOT NULL,
	"validated" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"requested" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- One row: every event with at < closed_until is in series_slots, and so is every one with id <= max_id
-- and at < closed_until (why both: api/domain/series-rollup.ts).
CREATE TABLE "series_rollup_state" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL CHECK ("one"),
	"closed_until" timestamp with time zone,
	"max_id" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "series_rollup_state" ("one") VALUES (true);
