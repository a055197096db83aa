"""``python -m ui [--home PATH] [--read-only]``: the TUI without the ``kitchen`` CLI."""

from ui.cli import main

main()
