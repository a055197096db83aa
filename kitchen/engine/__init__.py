"""The engine service: the one process that owns a Kitchen home's store (DESIGN.md §2).

It serves reads and event ingest over HTTP on loopback with a bearer token; everything else
(CLI, TUI, dashboard, workers) goes through :class:`kitchen.engine.client.EngineClient`.
Nothing here is imported by ``import kitchen``: fastapi and uvicorn load only when used.
"""

from __future__ import annotations
