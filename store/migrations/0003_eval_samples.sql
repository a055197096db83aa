-- 0003: one row per scored sample per evaluation of a run.
--
-- An evaluation stage writes its rows as an `eval` artifact (JSON in the blob store); the engine
-- loads them into this table in one Arrow insert when it records the artifact, so per-sample
-- results can be compared across runs in SQL (McNemar, paired bootstrap) and loaded into a
-- DataFrame without reading blobs. `phase` is 'baseline' (before training) or 'eval'; `task` is
-- the task or evaluator name; `step` is the training step the model was at; `epoch` numbers
-- repeated generations of one sample (pass@k, --epochs). Like metrics, append-only and with no
-- key: zonemaps on the time-ordered run_id prune scans.

CREATE TABLE eval_samples (
    run_id VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    task VARCHAR NOT NULL,
    step BIGINT NOT NULL,
    sample_id VARCHAR NOT NULL,
    epoch INTEGER NOT NULL,
    input VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    output VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    answer VARCHAR,
    explanation VARCHAR,
    input_tokens INTEGER,
    output_tokens INTEGER,
    latency_s DOUBLE,
    scores_json VARCHAR,
    metadata_json VARCHAR
);
