"""Adapters over Kitchen's DuckDB store (``store/``): blobs, metrics, registry, and the
recorder that turns run events into store rows."""
