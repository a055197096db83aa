"""Tests of production-feedback ingest: redaction, quality flags, parsing, the route, the CLI."""
