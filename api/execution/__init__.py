"""After the plan (issue 14): what was actually done on each confirmed item, and the settlement from it.

``records``: per-day execution records, the other side's confirmation or dispute, the coordinator's decision;
``settlement``: money from the actuals, per item, pair and firm, and the round's close that locks the records;
``routes``: the JSON API; ``documents``: the Excel export and the printable A4 sheet.
"""
