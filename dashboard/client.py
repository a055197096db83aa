"""How the dashboard reaches its engine.

The dashboard finds the engine the way every Kitchen UI does, through the engine file of its
home (``$KITCHEN_HOME``, which ``kitchen dashboard`` sets for the Streamlit process). An
auto-started engine exits when idle; :func:`engine_for_home` starts it again on the next read
instead of showing a dead page.
"""

from __future__ import annotations

from pathlib import Path

from kitchen.engine.files import EngineInfo
from kitchen.home import kitchen_home


def engine_for_home(home: Path | str | None = None) -> EngineInfo:
    """The engine serving ``home`` (default ``$KITCHEN_HOME``), started when none does.

    Raises:
        KitchenError: none serves it and a new one failed to start.
    """
    from kitchen.engine.server import ensure_engine

    return ensure_engine(kitchen_home(home))
