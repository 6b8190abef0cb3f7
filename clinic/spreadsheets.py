"""CSV for spreadsheets: cells neutralised against formula injection."""

import csv
from decimal import Decimal
from io import StringIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet will not run: a leading = + - @ (or tab, CR) gets a quote mark.

    Numbers the app computed stay numbers (a quoted -1.3 would be read as text).
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header, rows):
    return "".join(csv_lines(header, rows))


def csv_lines(header, rows):
    """The CSV one line at a time, for a streaming response."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([safe_cell(cell) for cell in row])
        yield out.getvalue()
