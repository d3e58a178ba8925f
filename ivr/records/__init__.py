"""Call records in SQLite: one row per call, written in one transaction."""
from .store import CallRecord, connect, database_path, record_call, record_simulation, summarise_call

__all__ = ["CallRecord", "connect", "database_path", "record_call", "record_simulation",
           "summarise_call"]
