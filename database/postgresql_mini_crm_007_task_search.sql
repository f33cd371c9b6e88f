-- Mini CRM migration 007: task search from an index.
--
-- tasks.list's `search` finds the words in a task's title or description, any letter case
-- (ILIKE '%words%'). Without an index, a search that matches few tasks reads them all: at a million
-- tasks, 360 ms of a sequential scan. One trigram GIN index over both columns serves both ILIKEs, as
-- idx_clients_search does for clients; a search that matches many tasks still walks the due-date
-- index and stops at the page, which the planner prefers when the words are common.
CREATE INDEX idx_tasks_search ON tasks USING gin (title gin_trgm_ops, description gin_trgm_ops);
