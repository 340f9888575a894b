"""The support-staff admin: every model staff need, imported data read-only."""

from . import flow_files, meters, readings, worklist

__all__ = ["flow_files", "meters", "readings", "worklist"]
