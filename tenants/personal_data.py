"""Where the brand apps keep customers' personal data, as they declare it (each app registers its
own columns in its AppConfig.ready, since `tenants` imports no other app). The brand export reads
this to leave those values out of an archive whose requester's role may not read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalColumns:
    table: str
    # column → the value an archive without personal data holds instead (None, "" or a marker).
    redacted: dict
    # A condition on the row (SQL on alias `t`) when only some rows hold personal data.
    where: str = ""
    # A timestamp column set to the export's time, for rows that must read as erased.
    mark_erased: str = ""


PERSONAL_COLUMNS: dict[str, PersonalColumns] = {}


def personal_columns_register(table: str, redacted: dict, *, where: str = "", mark_erased: str = "") -> None:
    PERSONAL_COLUMNS[table] = PersonalColumns(table, dict(redacted), where, mark_erased)
