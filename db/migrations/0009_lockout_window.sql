ALTER TABLE "attempt_counters" ADD COLUMN "failed_at" timestamp with time zone[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "attempt_counters" DROP COLUMN "failures";--> statement-breakpoint
ALTER TABLE "attempt_counters" DROP COLUMN "window_started_at";