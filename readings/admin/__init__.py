"""The support-staff admin: every model staff need, imported data read-only."""

from . import attempts, flow_files, meters, readings

__all__ = ["attempts", "flow_files", "meters", "readings"]
