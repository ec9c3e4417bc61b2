"""The block's LP with days merged: a relaxation small enough to solve where the daily LP is not.

Entry point: :func:`days_merged` (with :func:`merged_columns` to size it before building it).

gen-3000's LP (1,344,584 columns, 1,620,035 rows) had not finished after 600 s of interior point, so that block
reported the quantity bound and its gap was mostly the bound's (docs/solver.md, "Large blocks").  Here every
per-day quantity (units of an order at a site, workers lent between a pair) becomes one column per group of
days, and every per-day row (labour, lending, machines, a loan's link) the sum of its days.  A plan maps onto it
by adding its days up, with the same value (a unit's margin and a loan's commute cost do not depend on the day),
so its LP optimum bounds every plan.  It gives up when within a group capacity falls.  Measured (interior point,
one thread; the quantity bound, the daily LP, then merged by 7 and by 14 days):

* gen-800: 16,483,463; 16,343,017 in 170 s; 16,391,498 in 24.5 s; 16,407,676 in 16.4 s;
* gen-3000: 62,004,663; not finished in 600 s; 61,689,956 in 238 s; 61,719,104 in 152 s.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable

import numpy as np

from solver.milp import Milp

# x[o,g,t] and w[s,a,b,t]: the day is the name's last field.  Rows labour/lend/machine[...,t] likewise; a
# "w<=ub*z" row belongs to its loan's day (through the loan's column).
_DAILY_COLUMN = re.compile(r"^([xw]\[.*),(\d+)\]$")
_DAILY_ROW = re.compile(r"^((?:labour|lend|machine)\[.*),(\d+)\]$")


def merged_columns(m: Milp, days_per_group: list[int]) -> dict[int, int]:
    """How many columns ``days_merged(m, lambda t: t // k)`` would have, for each k in ``days_per_group``, without
    building it (one pass over the names): the finest grouping that can be solved in time is chosen from it."""
    key_ids: dict[str, int] = {}
    keys: list[int] = []
    days: list[int] = []
    other = 0
    for name in m.var_names:
        hit = _DAILY_COLUMN.match(name)
        if hit is None:
            other += 1
            continue
        keys.append(key_ids.setdefault(hit.group(1), len(key_ids)))
        days.append(int(hit.group(2)))
    key_arr = np.asarray(keys, dtype=np.int64)
    day_arr = np.asarray(days, dtype=np.int64)
    span = int(day_arr.max()) + 1 if len(day_arr) else 1
    return {k: other + len(np.unique(key_arr * span + day_arr // k)) for k in days_per_group}


def days_merged(m: Milp, group_of_day: Callable[[int], int]) -> Milp:
    """``m``'s LP relaxation with the days in each group merged (``group_of_day(t)`` names t's group).

    The per-day indicator rows (x <= ub*y for one day) are left out: the merged column's row over all days
    (sum x <= ub*y) holds them.  Raises ValueError if a merged column's days disagree on a coefficient (the model
    would then not be a relaxation).
    """
    out = Milp(name=f"{m.name}-days-merged")
    new_col: list[int] = [0] * m.num_vars
    daily = [False] * m.num_vars
    merged: dict[tuple[str, int], int] = {}
    members: dict[int, list[int]] = {}
    for j, name in enumerate(m.var_names):
        hit = _DAILY_COLUMN.match(name)
        if hit is None:
            new_col[j] = out.add_var(m.lb[j], m.ub[j], False, m.obj[j], name, m.var_firms[j], m.structural[j])
            continue
        key = (hit.group(1), group_of_day(int(hit.group(2))))
        daily[j] = True
        k = merged.get(key)
        if k is None:
            k = merged[key] = out.add_var(0.0, 0.0, False, m.obj[j], f"{key[0]},g{key[1]}]", m.var_firms[j])
        elif out.obj[k] != m.obj[j]:
            raise ValueError(f"column {name}: objective {m.obj[j]} differs from its group's {out.obj[k]}")
        out.lb[k] += m.lb[j]
        out.ub[k] += m.ub[j]
        new_col[j] = k
        members.setdefault(k, []).append(j)

    # Rows of one day are summed with the other days of their group; the rest are rewritten in merged columns.
    # A merged column stands for the sum of its days, so it keeps its days' common coefficient; a column that is
    # not merged (y, z) appears once per summed row, so its coefficients add up.  The model leaves out a day's
    # capacity row that its columns' bounds cannot break (solver.model: lending, machines); the merged column
    # still holds that day, so its most that day is added to the summed row's right side.
    # Insertion order is the order of the first daily row of each group: the result is deterministic.
    summed: dict[tuple[str, int], tuple[dict[int, float], list[float], set[int]]] = {}
    rows = m.rows
    for i, name in enumerate(m.row_names):
        if m.row_redundant[i]:
            continue
        cols, coefs = rows[i]
        hit = _DAILY_ROW.match(name)
        row_group: tuple[str, int] | None = None
        if hit is not None:
            row_group = (hit.group(1), group_of_day(int(hit.group(2))))
        elif name == "w<=ub*z":
            loan = next(j for j in cols if daily[j])
            row_group = (f"w<=ub*z:{new_col[loan]}", 0)
        if row_group is None:
            entries: dict[int, float] = {}
            _add(entries, cols, coefs, new_col, daily, name)
            out.add_row(list(entries), list(entries.values()), m.row_lb[i], m.row_ub[i], name)
            continue
        if row_group not in summed:
            summed[row_group] = ({}, [0.0, 0.0], set())
        entries, sides, present = summed[row_group]
        _add(entries, cols, coefs, new_col, daily, name)
        present.update(j for j in cols if daily[j])
        sides[0] += m.row_lb[i]
        sides[1] += m.row_ub[i]
    for (family, group), (entries, (lo, hi), present) in summed.items():
        for k, c in entries.items():
            for j in members.get(k, ()):
                if j not in present:
                    lo += min(c * m.lb[j], c * m.ub[j])
                    hi += max(c * m.lb[j], c * m.ub[j])
        out.add_row(list(entries), list(entries.values()), lo, hi,
                    "w<=ub*z" if family.startswith("w<=") else f"{family},g{group}]")
    return out


def _add(entries: dict[int, float], cols: array, coefs: array, new_col: list[int], daily: list[bool],
         row: str) -> None:
    for j, c in zip(cols, coefs, strict=True):
        k = new_col[j]
        if daily[j]:
            seen = entries.get(k)
            if seen is not None and seen != c:
                raise ValueError(f"row {row}: merged column {k} has coefficients {seen} and {c} on different days")
            entries[k] = c
        else:
            entries[k] = entries.get(k, 0.0) + c
