-- Rows delivered before the outbox had a status are sent.
UPDATE "outbox" SET "status" = 'sent' WHERE "sent_at" IS NOT NULL;--> statement-breakpoint
-- A pending 'request.decided' did two things: redraw the channel message and DM the requester. They are
-- separate rows now ('request.updated', 'request.notify'), so a failing update never holds back the DM.
INSERT INTO "outbox" ("kind", "payload", "ordering_key", "next_attempt_at")
  SELECT 'request.notify', jsonb_build_object('requestId', r."id", 'userId', r."user_id"), 'dm:' || r."user_id", o."next_attempt_at"
  FROM "outbox" o JOIN "token_requests" r ON r."id"::text = o."payload"->>'requestId'
  WHERE o."kind" = 'request.decided' AND o."status" = 'pending';--> statement-breakpoint
UPDATE "outbox" SET "kind" = 'request.updated' WHERE "kind" = 'request.decided';--> statement-breakpoint
-- Pending rows get the ordering key new rows are written with.
UPDATE "outbox" SET "ordering_key" = 'request:' || ("payload"->>'requestId') WHERE "status" = 'pending' AND "kind" IN ('request.created', 'request.updated');--> statement-breakpoint
UPDATE "outbox" SET "ordering_key" = 'grant:' || ("payload"->>'grantId') WHERE "status" = 'pending' AND "kind" IN ('grant.opened', 'grant.reviewed');--> statement-breakpoint
UPDATE "outbox" SET "ordering_key" = 'dm:' || ("payload"->>'userId') WHERE "status" = 'pending' AND "kind" IN ('tokens.deliver', 'stock.low');--> statement-breakpoint
-- Accounts the bot created (no acting user, a Slack id) are the auto-provisioned ones.
UPDATE "users" SET "slack_provisioned" = true
  WHERE "id" IN (SELECT "subject_user_id" FROM "audit_events" WHERE "action" = 'user.created' AND "actor_id" IS NULL AND "details"->>'slackUserId' IS NOT NULL);
