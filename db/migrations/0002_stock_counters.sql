CREATE TABLE "token_counts" (
	"shard" smallint NOT NULL,
	"status" "token_status" NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "token_counts_shard_status_pk" PRIMARY KEY("shard","status")
);
--> statement-breakpoint
CREATE TABLE "user_stock" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"available" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_stock" ADD CONSTRAINT "user_stock_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_stock_available_idx" ON "user_stock" USING btree ("available","user_id");--> statement-breakpoint
CREATE INDEX "tokens_used_at_idx" ON "tokens" USING btree ("used_at") WHERE "tokens"."status" = 'used';--> statement-breakpoint
CREATE INDEX "grants_unreviewed_idx" ON "grants" USING btree ("created_at") WHERE "grants"."reviewed_at" is null;