"""Cells of a CSV export that a spreadsheet will not run (formula injection): the one rule every
export uses (surveys' responses, care cases, client reports)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab / CR) gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value) -> str:
    """Our own numbers as they are (a negative change stays a number); any text through csv_safe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return csv_safe(value)
