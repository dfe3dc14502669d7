"""CSV that is safe to open in a spreadsheet: text cells that Excel, LibreOffice or Google Sheets would run as a
formula (CSV or "formula" injection) are neutralised, as OWASP advises, by a leading single quote.

Every CSV export of user-written text (feedback, the audit log) goes through `rows_to_csv`.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

# A spreadsheet treats a cell starting with one of these as a formula (tab and carriage return because some
# programs strip them and then see the formula behind them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, prefixed with ' if it is text a spreadsheet would read as a formula; anything else unchanged.

    Numbers are left alone: a number we wrote (a rating of -1) cannot carry a formula, and quoting it would turn it
    into text in the spreadsheet.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_to_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """The header and rows as CSV text, every cell passed through safe_cell."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buf.getvalue()
