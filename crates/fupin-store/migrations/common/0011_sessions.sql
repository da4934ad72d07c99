-- Sessions of the web application (issue 10): kept in the database, so that they survive a restart
-- and serve every server process on the database. The cookie's token is never stored: only its
-- SHA-256 (hex), so that a copy of the database gives no session away. Times are Unix seconds.
CREATE TABLE app_session (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_name TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX app_session_by_user ON app_session (user_name);
CREATE INDEX app_session_by_last_seen ON app_session (last_seen);
