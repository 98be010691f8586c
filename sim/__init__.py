"""Agent-based simulator of AI and automation displacement in ASEAN labour markets."""

__version__ = "0.1.0"
