-- 0002: a run's queue priority, so the engine's queue survives a restart.
--
-- The engine re-queues every run left 'queued' when it starts, highest priority first and then in
-- submission order; before this column the queue lived only in the engine's memory. The new
-- status 'paused' needs no change here (statuses are VARCHAR checked in Python; see 0001).

ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
