"""The package version (pyproject.toml holds the same string): a module of its own so that
_dispatch.backend_info reads it without importing the package __init__."""
__version__ = "0.1.0"
