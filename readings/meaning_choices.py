"""What a stored reading means: its status among the readings of its register, and its anomaly.

One definition for the models' choices and checks, the SQL that computes them
(``readings/services/meaning.py``), and the pages that show them. The rules are in the README
("Decisions and assumptions", "What the readings mean").
"""

from __future__ import annotations

from django.db import models


class ReadingStatus(models.TextChoices):
    """Whether a reading counts, and if not why; received order is import order, then line."""

    LIVE = "live", "live: counts"
    WITHDRAWN = "withdrawn", "withdrawn by a later W"
    SUPERSEDED = "superseded", "superseded by a later value"
    REPEAT = "repeat", "repeat of a reading held"
    WITHDRAWAL = "withdrawal", "withdrawal (W): an instruction"


class Anomaly(models.TextChoices):
    """What is odd about a counting reading's advance ("" when nothing is)."""

    NONE = "", "none"
    ROLLOVER = "rollover", "rollover: the register wrapped past its digits"
    NEGATIVE = "negative", "negative: the register fell"
    ZERO = "zero", "zero: no advance for 90 days or more"
    HIGH = "high", "high: over 4 times the register's recent rate"
