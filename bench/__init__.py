"""The import and admin benchmark of issue 4: ``python -m bench --help``.

Generates seeded D0010 files, imports them with the project's service in child processes on a
fresh database, measures a plain reference on the same file and prints one line per figure.
"""
