-- Mini CRM migration 008: a user's clients and credentials from their indexes alone.
--
-- What a `user` sees of the vault and its audit log is bounded by the clients they own: every such
-- statement first reads the ids of their clients (owner_user_id), then of those clients'
-- credentials (client_id = ANY (...)). With the ids in the indexes those are index-only scans; at
-- 100,000 clients, a user's 500 clients came from 466 heap pages, and their 234 credentials from as
-- many heap fetches.
DROP INDEX idx_clients_owner_user_id;
CREATE INDEX idx_clients_owner_user_id ON clients (owner_user_id, name, uuid) INCLUDE (id);
DROP INDEX idx_credentials_client_id;
CREATE INDEX idx_credentials_client_id ON credentials (client_id, label) INCLUDE (id);
