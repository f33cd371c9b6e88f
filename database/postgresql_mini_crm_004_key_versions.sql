-- Key rotation: each credential records the version of the key that encrypted it, and each key
-- version keeps a verifier, so that a wrong key is refused at start instead of encrypting new
-- values under the wrong key, and `pnpm crm rotate-key` can move every credential to a new key
-- while the app keeps decrypting each one with the key of the version it records.
--
-- The keys themselves are never stored: the app passes them as bind parameters.

-- Every existing credential was encrypted with the one key the app had: version 1. Adding a column
-- with a constant default rewrites no row and fires no trigger (no audit rows).
ALTER TABLE credentials
    ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1,
    ADD CONSTRAINT credentials_key_version_positive CHECK (key_version > 0);

-- The rotation reads the credentials still at an older version, a batch at a time in id order.
CREATE INDEX idx_credentials_key_version ON credentials (key_version, id);

-- verifier: a fixed text encrypted with the version's key (pgp_sym_encrypt, salted and iterated like
-- every credential value), so checking a key costs an attacker as much as decrypting a credential.
-- It is neither the key nor a hash of it. Written by the app the first time it starts with a version.
CREATE TABLE encryption_key_versions (
    version    INTEGER PRIMARY KEY,
    verifier   BYTEA NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT encryption_key_versions_version_positive CHECK (version > 0)
);

-- True when key decrypts data, false when it does not (a wrong key or corrupt data): a key check
-- that does not abort the transaction, as decrypt_credential_value's MC002 would. NULL data: NULL.
CREATE FUNCTION credential_key_matches(data bytea, key text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF data IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM decrypt_credential_value(data, key);
    RETURN true;
EXCEPTION
    WHEN SQLSTATE 'MC002' THEN
        RETURN false;
END;
$$;

-- The API's own role (migration 003, when present) writes the version with each value it encrypts.
-- It needs nothing on encryption_key_versions: the key check at start runs as the owner, like the
-- migrations, and so does `pnpm crm rotate-key`.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mini_crm_app') THEN
        GRANT INSERT (key_version), UPDATE (key_version) ON credentials TO mini_crm_app;
    END IF;
END
$$;
