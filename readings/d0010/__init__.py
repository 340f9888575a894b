"""D0010 (Meter Readings): its codes, records and group handlers, on the shared DTC reader."""

from readings.dtc.issues import InvalidFlowFile

from .parser import D0010Parser

__all__ = ["D0010Parser", "InvalidFlowFile"]
