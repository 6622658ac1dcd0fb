"""The engine of the data strategy dashboard: contract, data, queries, KPIs and CLI."""

__version__ = "0.1.0"
