"""Valid sets of the D0010 flow's code items (DTC 15.4), code → readable label.

These mappings are the single source of truth: the parser validates against them and the
models build their ``choices`` from them, so a code added here is accepted and labelled
everywhere at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FLOW_REFERENCE = "D0010"
SUPPORTED_FLOW_VERSIONS = frozenset({"002"})

# J0022 BSC Validation Status (group 026).
BSC_VALIDATION_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "F": "Failed",
        "U": "Not validated",
        "V": "Validated",
    }
)

# J0171 Reading Type (group 028). ``O`` is in the data item's valid set but may only be sent
# on D0071 and D0300, so it is listed apart and refused in a D0010.
READING_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "A": "Actual change of supplier read",
        "C": "Customer own read",
        "D": "Deemed (settlement) or estimated (non-settlement)",
        "F": "Final",
        "I": "Initial",
        "M": "Meter advance reconciliation",
        "P": "Electronically collected via PPMIP",
        "Q": "Manually modified by the data collector",
        "R": "Routine",
        "S": "Special",
        "T": "Proving test reading",
        "U": "Forward migration, change of agent",
        "V": "Forward migration, change of supplier",
        "W": "Withdrawn",
        "X": "Supplier agreed switch read",
        "Y": "Reverse migration, change of supplier",
        "Z": "Actual change of tenancy read",
    }
)
READING_TYPES_NOT_IN_D0010: Mapping[str, str] = MappingProxyType(
    {"O": "Old supplier's estimated change of supplier read"}
)

# J1888 Reading Method (group 030).
READING_METHODS: Mapping[str, str] = MappingProxyType(
    {
        "N": "Not viewed by an agent (non site visit)",
        "P": "Viewed by an agent (site visit)",
    }
)

# J0024 Site Visit Check Code (groups 027, 029 and 033). There is no 12.
SITE_VISIT_CHECK_CODES: Mapping[str, str] = MappingProxyType(
    {
        "01": "Site occupied",
        "02": "Site not occupied",
        "03": "Meter system energised",
        "04": "Meter system de-energised",
        "05": "Equipment or meter damage",
        "06": "Suspected tampering",
        "07": "Timeswitch stopped",
        "08": "Phase or fuse failure",
        "09": "Consumption on a de-energised meter",
        "10": "Change of meter",
        "11": "Zero reading on MD register",
        "13": "MD register at full scale",
        "14": "More than one MD reset",
        "15": "Meter stopped",
        "16": "Seals damaged",
        "17": "Seals missing",
        "18": "Unsafe premises",
        "19": "Call not made on routine visit",
        "20": "No access",
        "21": "Refused access",
        "22": "Meter blocked",
        "23": "Wiring dangerous or incomplete",
        "24": "Token meter reset",
        "25": "Token meter not reset",
        "26": "Agent failed to keep appointment",
        "27": "Reading modified manually by NHHDC",
        "28": "No access, insufficient address",
        "29": "Customer unable to give access",
        "30": "No access to HV environment",
        "31": "Interrogation port unavailable (HH)",
        "32": "Wrong meter or outstation password (HH)",
        "33": "Handheld failure (HH)",
        "34": "Suspected demolished",
        "35": "Demolished",
        "36": "Change of occupier",
        "37": "Unmanned",
        "38": "Key or code unavailable",
        "39": "Meter not found at property",
        "40": "Suspected energised",
        "41": "Suspected de-energised",
        "42": "Site can export",
        "43": "Supply remotely disabled",
        "44": "Supply remotely re-armed",
        "50": "Category A network defect",
        "51": "Category B network defect",
        "52": "Extra equipment needed",
        "53": "Cannot establish WAN",
        "54": "Cannot establish HAN",
        "55": "Not enough space for new meter",
        "56": "Parking restrictions",
        "57": "Adverse weather",
        "58": "Meter height or position",
        "88": "Request rejected",
        "89": "Fault resolution completion report",
    }
)

# J0332 Meter Reading Reason Code (group 032).
READING_REASON_CODES: Mapping[str, str] = MappingProxyType(
    {
        "01": "MSID incorrect",
        "02": "Reading date before the last valid read",
        "03": "Negative consumption",
        "04": "Inconsistent with slave register advance",
        "05": "Consumption over twice the expected advance",
        "06": "Meter incorrectly energised",
        "07": "Meter incorrectly de-energised",
        "08": "Full scale MD",
        "09": "Zero MD",
        "10": "More than one MD reset",
        "11": "Wrong number of register digits",
        "12": "Inconsistent register read date",
        "13": "Faulty meter",
        "14": "Hand-held read failure",
        "15": "Meter not on site or metering protocol not approved",
        "16": "Standing data incorrect",
        "17": "No access to meter",
        "18": "Meter time or date reset",
        "19": "Outstation reset",
        "20": "Meter change or maintenance",
        "21": "Phase failure",
        "22": "Meters recording zeros",
        "23": "Test data recorded",
        "24": "Data lapse",
        "25": "Actual data keyed manually",
        "26": "Invalid zero advances",
        "27": "Zero consumption",
    }
)

# Group 027/029/033 tags, with the level each records a visit at.
SITE_VISIT_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "027": "Meter point (027)",
        "029": "Meter (029)",
        "033": "Register reading (033)",
    }
)

# -- Codes in words, for lists: a word or two beside the code ("C customer"), where the full
# label would make every row several lines high. Pages of one reading show the full label.
READING_TYPE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "A": "supplier change",
        "C": "customer",
        "D": "deemed",
        "F": "final",
        "I": "initial",
        "M": "reconciliation",
        "P": "PPMIP",
        "Q": "modified",
        "R": "routine",
        "S": "special",
        "T": "proving test",
        "U": "agent migration",
        "V": "supplier migration",
        "W": "withdrawn",
        "X": "agreed switch",
        "Y": "reverse migration",
        "Z": "tenancy change",
    }
)
BSC_VALIDATION_STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {"F": "failed", "U": "not validated", "V": "validated"}
)
READING_METHOD_WORDS: Mapping[str, str] = MappingProxyType({"N": "not viewed", "P": "viewed"})


def in_words(code: str, words: Mapping[str, str]) -> str:
    """``code`` with its word: ``C customer``; the code alone if it has none."""
    word = words.get(code)
    return f"{code} {word}" if word else code
