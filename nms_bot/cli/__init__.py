"""Command-line adapter over the core."""
