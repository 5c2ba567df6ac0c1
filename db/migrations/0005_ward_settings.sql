CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "settings" ADD CONSTRAINT "settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tokens_revoked_at_idx" ON "tokens" USING btree ("revoked_at") WHERE "tokens"."status" = 'revoked';--> statement-breakpoint
CREATE INDEX "tokens_expired_at_idx" ON "tokens" USING btree ("expires_at") WHERE "tokens"."status" = 'expired';