-- 0001: the initial Kitchen schema.
--
-- Conventions, and why:
-- * Keys are text ids made by store.ids.new_id() (time-ordered hex). duckdb_engine maps integer
--   autoincrement keys to SERIAL, which DuckDB lacks, and time order keeps zonemaps useful.
-- * Timestamps are TIMESTAMPTZ in UTC; wall_time columns on hot tables are DOUBLE unix seconds,
--   which is what a trainer has at hand and what Arrow moves fastest.
-- * Enumerations (status, kind, stage, event) are VARCHAR checked in Python, not CHECK
--   constraints: DuckDB cannot drop or change a constraint without rebuilding the table, and
--   new states (e.g. 'paused') must be a cheap migration.
-- * No FOREIGN KEYs: DuckDB blocks renaming referenced columns and deleting parents inside the
--   transaction that deletes their children; the store's code keeps references consistent.
-- * metrics, stage_events and logs have no primary key or index: they are append-only and
--   bulk-loaded through Arrow. An ART index on metrics(run_id, key) was measured to slow ingest
--   and to make per-run scans slower, not faster; zonemaps on the time-ordered run_id prune
--   instead, and metric_summary answers "last value" questions without touching metrics.

CREATE TABLE experiments (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE runs (
    id VARCHAR PRIMARY KEY,
    experiment_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    recipe VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    config_json VARCHAR NOT NULL,
    config_hash VARCHAR NOT NULL,
    seed BIGINT,
    git_commit VARCHAR,
    env_json VARCHAR NOT NULL,
    error_type VARCHAR,
    error_message VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    last_step BIGINT,
    parent_run_id VARCHAR
);

CREATE TABLE params (
    run_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    value_json VARCHAR NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE metrics (
    run_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    step BIGINT NOT NULL,
    value DOUBLE NOT NULL,
    wall_time DOUBLE NOT NULL
);

-- One row per (run, metric key), upserted by every metrics flush in the same transaction.
-- min/max ignore NaN so "best loss" survives a diverged step.
CREATE TABLE metric_summary (
    run_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    last_step BIGINT NOT NULL,
    last_value DOUBLE NOT NULL,
    last_wall_time DOUBLE NOT NULL,
    min_value DOUBLE,
    max_value DOUBLE,
    n_points BIGINT NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE stage_events (
    run_id VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    stage_path VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    wall_time DOUBLE NOT NULL,
    duration_s DOUBLE,
    detail_json VARCHAR
);

CREATE TABLE logs (
    run_id VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    wall_time DOUBLE NOT NULL,
    level VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    stage VARCHAR
);

CREATE TABLE artifacts (
    id VARCHAR PRIMARY KEY,
    run_id VARCHAR,
    kind VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    layout VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    uri VARCHAR NOT NULL,
    meta_json VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX ix_artifacts_run_id ON artifacts (run_id);

CREATE TABLE models (
    name VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE model_versions (
    id VARCHAR PRIMARY KEY,
    model_name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    run_id VARCHAR,
    artifact_id VARCHAR,
    metrics_json VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (model_name, version)
);

CREATE TABLE model_aliases (
    model_name VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (model_name, alias)
);

-- Edges point from what was used to what was made: dataset -> run, run -> artifact,
-- artifact -> model_version. The primary key covers downstream walks; this index the upstream.
CREATE TABLE lineage_edges (
    src_kind VARCHAR NOT NULL,
    src_id VARCHAR NOT NULL,
    dst_kind VARCHAR NOT NULL,
    dst_id VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (src_kind, src_id, dst_kind, dst_id, relation)
);

CREATE INDEX ix_lineage_edges_dst ON lineage_edges (dst_kind, dst_id);
