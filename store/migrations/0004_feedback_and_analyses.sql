-- 0004: production feedback events and persisted analyses (drift, adversary, explainability).
--
-- feedback_events: one row per production event, already redacted (PII never reaches the
-- store) and quality-checked on the way in. Append-only and bulk-loaded through Arrow like
-- metrics, with a time-ordered text id and no key index; windows are read by ts and model.
-- `quality_flags` is a comma-separated list (empty, refusal, repetition, too_short,
-- too_long); `redactions` counts what was masked, never what it was.
--
-- analyses: one row per computed analysis. `kind` is drift, drift_reference, adversary, xai
-- or attribution_drift; the subject is a model version (name + version) and/or the run that
-- computed it. `params_json` holds everything needed to recompute it (seeds, windows,
-- thresholds, background sets by reference); `summary_json` the figures pages list;
-- `result_ref` the SHA-256 of the full result (JSON in the blob store) when it is large.

CREATE TABLE feedback_events (
    id VARCHAR NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    model_name VARCHAR,
    model_version INTEGER,
    input VARCHAR NOT NULL,
    output VARCHAR NOT NULL,
    latency_ms DOUBLE,
    user_signal DOUBLE,
    label VARCHAR,
    features_json VARCHAR,
    quality_flags VARCHAR NOT NULL,
    redactions INTEGER NOT NULL,
    batch_id VARCHAR NOT NULL,
    source VARCHAR,
    ingested_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE analyses (
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    model_name VARCHAR,
    model_version INTEGER,
    run_id VARCHAR,
    name VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    seed BIGINT,
    params_json VARCHAR NOT NULL,
    summary_json VARCHAR NOT NULL,
    result_ref VARCHAR
);
