"""The admin's dates and times, in one UK format: ``06/12/2024`` and ``06/12/2024 14:30``
(``FORMAT_MODULE_PATH`` in core/settings.py). Django's notation of ``readings.localtime``'s
``UK_DATE`` and ``UK_MINUTE``, which the project's own code formats with."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"]
