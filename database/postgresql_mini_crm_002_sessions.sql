-- Sign-in: sessions and the login throttle (issue 3). Lucia's session design: the browser holds a
-- random token, the database only its SHA-256, so a copy of this table signs nobody in.

CREATE TABLE user_sessions (
    id           CHAR(64) PRIMARY KEY,  -- hex SHA-256 of the token; the token itself is never stored
    user_id      INTEGER NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    ip_address   INET,
    user_agent   TEXT,
    CONSTRAINT user_sessions_id_format CHECK (id ~ '^[0-9a-f]{64}$'),
    CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX idx_user_sessions_user_id ON user_sessions (user_id);
CREATE INDEX idx_user_sessions_expires_at ON user_sessions (expires_at);

-- Failed sign-ins, counted per account and per IP over a sliding window. Kept in PostgreSQL so the
-- limit holds across API instances. An attempt is written before its password is checked (so that
-- parallel attempts count each other) and deleted when it succeeds. Rows older than the window are
-- pruned by the API.
CREATE TABLE login_failures (
    id           BIGSERIAL PRIMARY KEY,
    email        VARCHAR(255) NOT NULL,  -- lower-cased as typed; may name no account
    ip_address   INET,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_login_failures_email ON login_failures (email, created_at);
CREATE INDEX idx_login_failures_ip_address ON login_failures (ip_address, created_at);
CREATE INDEX idx_login_failures_created_at ON login_failures (created_at);
