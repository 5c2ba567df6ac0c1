-- Announce on the et_sessions channel every change that can end a session's right to what it sees: a
-- session revoked or deleted (logout, sign out everywhere, new password), and a user's role, active flag
-- or password changed. Open SSE streams re-check their session when they hear it (api/http/sse.ts), so
-- any code path that ends a session, now or later, is followed without having to remember to say so.
-- Statement-level: one notification per statement, whatever the number of rows.
CREATE FUNCTION notify_sessions_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('et_sessions', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER sessions_changed AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
--> statement-breakpoint
CREATE TRIGGER users_access_changed AFTER UPDATE OF role, active, password_hash OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
