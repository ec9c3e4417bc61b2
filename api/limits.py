"""Every size limit of the service in one place (docs/api.md, "Limits", lists the same values).

The limits are far above what a real park sends (the demo park: 24 firms, 7 days, a few dozen orders per
firm) and far below what exhausts a 2-core machine; each is checked before the data it bounds is built.
Limits on plausible *values* (quantities, wages, hours) live with the schemas in ``alliance/scenario.py``.
"""

from __future__ import annotations

from alliance import bounds

# ----- request bodies (checked by api.bodylimit before any parsing) --------------------------------------
MAX_BODY_BYTES = 1 * 1024 * 1024  # any JSON or form body not named below
MAX_REPORT_BODY_BYTES = 4 * 1024 * 1024  # PUT/POST of a capacity report
MAX_SOLVE_BODY_BYTES = 16 * 1024 * 1024  # POST /solve carries a whole scenario
MAX_UPLOAD_FILES = 8  # files in one report import
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries and part headers around the uploaded files

# ----- spreadsheet imports (api.services.upload_reading) --------------------------------------------------
MAX_XLSX_UNCOMPRESSED_BYTES = 24 * 1024 * 1024  # sum of the zip members' declared sizes
MAX_XLSX_MEMBERS = 200  # files inside the .xlsx zip
MAX_SHEETS = 10
MAX_ROWS = 5_000  # per sheet (header included)
MAX_COLUMNS = 400  # per sheet: a 366-day horizon plus the label columns
MAX_CELL_CHARS = 1_000

# ----- reports --------------------------------------------------------------------------------------------
MAX_ORDERS_PER_REPORT = 2_000
MAX_BLOCKED_PARTNERS = 1_000
# Skills or machines of a round, keys of a report's per-skill / per-machine maps; the horizon (per-day lists).
MAX_CODES, MAX_HORIZON_DAYS = bounds.MAX_CODES, bounds.MAX_HORIZON_DAYS

# ----- errors returned ------------------------------------------------------------------------------------
MAX_ERRORS = 100  # a problem lists at most this many field errors, and counts the rest in errors_omitted
