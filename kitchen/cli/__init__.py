"""The ``kitchen`` command line (typer). Heavy modules are imported inside commands."""
