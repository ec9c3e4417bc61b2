"""Minimal-disruption re-planning inside the model: keeping a preferred item earns its change penalty.

One constraint family (:func:`keep_preferred`) and the re-plan's starting plan (:func:`replan_start`).  The
orchestration (a penalised solve, then the unrestricted one for the trade-off) is in ``solver.disruption``.

For every preferred item (a pending item of the previous version) that the model can still represent, a binary
``k`` says "kept whole": each of its day variables equals the previous value (``x >= p*k`` and
``x <= ub - (ub - p)*k``, days it did not use included, with ``p = 0``).  ``k`` earns ``change_penalty`` yuan in
the solver's objective, so changing or dropping the item pays only if the change is worth more than that.  The
plan's reported objective is recomputed from the rows (MODEL.md's, without the penalty).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from alliance.plan import LoanRow, Plan, ProductionRow, Status
from alliance.replan import ReplanConstraints, loan_item_key, subcontract_item_key
from alliance.scenario import Scenario
from solver.milp import INF, Milp

if TYPE_CHECKING:
    from solver.candidates import Candidates
    from solver.model import Variables


def keep_preferred(m: Milp, s: Scenario, c: Candidates, v: Variables, rc: ReplanConstraints) -> None:
    """Keep indicators for the preferred items, each earning ``rc.change_penalty`` when the item is unchanged.

    An item the model cannot reproduce (its pair is forbidden, a day or a quantity is outside its variables)
    gets no indicator: it will change, whatever the penalty.
    """
    firms = c.arrays.firms
    idx = s.enterprise_index()
    order_idx = {o.id: i for i, o in enumerate(s.orders)}
    option_of = {(opt.order, opt.site): k for k, opt in enumerate(v.options)}
    for (oid, site), rows in sorted(rc.preferred_subcontracts.items()):
        if (oid, site) in rc.subcontracts or oid not in order_idx or site not in idx:
            continue
        k = option_of.get((order_idx[oid], idx[site]))
        if k is None:
            continue
        opt = v.options[k]
        wanted = _per_day((r.day, r.quantity) for r in rows)
        if not set(wanted) <= set(opt.days):
            if rc.forbids(s.orders[opt.order].owner, site):
                for col in v.x[k]:
                    m.ub[col] = 0.0  # a declined pair's item that cannot be reproduced gets nothing
            continue
        cols = list(zip(v.x[k], opt.unit_ub, (wanted.get(t, 0) for t in opt.days), strict=True))
        owner = idx[s.orders[opt.order].owner]
        exact = rc.forbids(s.orders[opt.order].owner, site)
        if exact or rc.change_penalty > 0:
            _keep_rows(m, v, subcontract_item_key(oid, site), cols, rc.change_penalty, (owner, opt.site), exact)
    sk = {code: i for i, code in enumerate(c.arrays.skills)}
    loan_cols: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for (si, src, dst, t), col in v.w.items():
        loan_cols[(si, src, dst)].append((t, col))
    for (skill, lender, borrower), loan_rows in sorted(rc.preferred_loans.items()):
        if (skill, lender, borrower) in rc.loans or skill not in sk or lender not in idx or borrower not in idx:
            continue
        group = (sk[skill], idx[lender], idx[borrower])
        wanted = _per_day((r.day, r.workers) for r in loan_rows)
        present = dict(loan_cols.get(group, []))
        if not set(wanted) <= set(present):
            if rc.forbids(lender, borrower):
                for col in present.values():
                    m.ub[col] = 0.0
            continue
        cols = [(col, v.w_ub[(*group, t)], wanted.get(t, 0)) for t, col in sorted(present.items())]
        exact = rc.forbids(lender, borrower)
        if exact or rc.change_penalty > 0:
            _keep_rows(m, v, loan_item_key(skill, firms[group[1]], firms[group[2]]), cols, rc.change_penalty,
                       (group[1], group[2]), exact)


def _per_day(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for day, n in pairs:
        out[day] += n
    return dict(out)


def _keep_rows(m: Milp, v: Variables, key: str, cols: Sequence[tuple[int, float, int]], penalty: float,
               firms: tuple[int, int], exact: bool) -> None:
    """``k = 1`` holds every column at its previous value; with ``exact`` (a declined pair) ``k = 0`` drops the item.

    Without a keep indicator an item of a declined pair has no variables at all; with it, the pair may keep what
    it had not answered yet, but gets nothing new: kept whole or dropped whole.
    """
    if any(p > ub + 1e-9 for _col, ub, p in cols):
        if exact:
            for col, _ub, _p in cols:
                m.ub[col] = 0.0
        return  # a previous quantity above today's bound: the item cannot be reproduced
    k = m.add_var(0.0, 1.0, True, penalty, f"keep[{key}]", firms, True)
    v.keep[key] = k
    for col, ub, p in cols:
        if exact:
            m.add_row([col, k], [1.0, -float(p)], 0.0, 0.0, f"keep=[{key}]")
            continue
        if p > 0:
            m.add_row([col, k], [1.0, -float(p)], 0.0, INF, f"keep>=[{key}]")
        if ub > p:
            m.add_row([col, k], [1.0, float(ub - p)], -INF, float(ub), f"keep<=[{key}]")


# ----- the starting plan -------------------------------------------------------------------------------------------


def replan_start(s: Scenario, milp: Milp, v: Variables, rc: ReplanConstraints) -> list[float] | None:
    """The previous version without what the re-plan may not keep, repaired to fit, as the solver's start.

    Declined items (and items of a forbidden pair) are left out; then wherever a labour or machine row no longer
    holds (a declined loan took away workers the borrower counted on), the owners' own production there is cut
    first and then preferred sub-contracts made there are dropped whole.  None when that does not make it fit.
    """
    keepable = {(oid, site) for oid, site in rc.subcontracts} | set(rc.preferred_subcontracts)
    loanable = set(rc.loans) | set(rc.preferred_loans)
    production = [r for r in rc.start_production
                  if r.site == s.order(r.order).owner or (r.order, r.site) in keepable]
    production += [r for rows in rc.subcontracts.values() for r in rows if r not in production]
    loans = [r for r in rc.start_loans if (r.skill, r.lender, r.borrower) in loanable]
    loans += [r for rows in rc.loans.values() for r in rows if r not in loans]
    from solver.run import plan_values  # the runner imports the model, which imports this module

    values = plan_values(s, milp, v, Plan(status=Status.FEASIBLE, production=production, loans=loans))
    if values is None:
        return None
    # The keep indicators first: an item of a declined pair is kept whole or not at all (an equality row), which
    # holds only once its indicator says so; before, every start with such an item was thrown away.
    _set_keep_indicators(s, v, rc, values)
    _repair(s, milp, v, rc, values)
    _set_keep_indicators(s, v, rc, values)  # the repair may have dropped kept items
    return values if milp.is_feasible(values) else None


def _set_keep_indicators(s: Scenario, v: Variables, rc: ReplanConstraints, values: list[float]) -> None:
    for key, k in v.keep.items():
        values[k] = 1.0 if _matches(s, v, key, values, rc) else 0.0


def _repair(s: Scenario, milp: Milp, v: Variables, rc: ReplanConstraints, values: list[float]) -> None:
    """Cut production, in place, where a capacity row no longer holds (see ``replan_start``)."""
    firms = [e.id for e in s.enterprises]
    own_cols: set[int] = set()
    item_of_col: dict[int, int] = {}
    for k, opt in enumerate(v.options):
        pinned = (s.orders[opt.order].id, firms[opt.site]) in rc.subcontracts
        for col in v.x[k]:
            if opt.own:
                own_cols.add(col)
            elif not pinned:
                item_of_col[col] = k
    margin = {col: opt.margin for k, opt in enumerate(v.options) for col in v.x[k]}
    for _ in range(3):
        bad = [i for i in range(milp.num_rows) if not milp.rows_hold([i], values)]
        if not bad:
            return
        for i in bad:
            cols, coefs = milp.rows[i]
            excess = sum(c * values[j] for j, c in zip(cols, coefs, strict=True)) - milp.row_ub[i]
            if excess <= 1e-6 or milp.row_lb[i] > -INF:
                continue  # only capacity rows (<=) are repaired: cutting production never breaks the others
            for j, c in sorted(zip(cols, coefs, strict=True), key=lambda jc: margin.get(jc[0], 0.0)):
                if excess <= 1e-6:
                    break
                if c <= 0 or values[j] <= 0 or j not in own_cols:
                    continue
                cut = min(values[j], math.ceil(excess / c - 1e-9))
                values[j] -= cut
                excess -= cut * c
            for j, c in zip(cols, coefs, strict=True):
                if excess <= 1e-6:
                    break
                if c > 0 and values[j] > 0 and j in item_of_col:
                    k = item_of_col[j]
                    excess -= sum(c * values[col] for col in v.x[k] if col == j)
                    for col in v.x[k]:
                        values[col] = 0.0
                    if k in v.y:
                        values[v.y[k]] = 0.0


def _matches(s: Scenario, v: Variables, key: str, values: list[float], rc: ReplanConstraints) -> bool:
    kind, *parts = key.split(":")
    if kind == "subcontract":
        oid, site = parts
        wanted = _per_day((r.day, r.quantity) for r in rc.preferred_subcontracts[(oid, site)])
        firms = [e.id for e in s.enterprises]
        for k, opt in enumerate(v.options):
            if s.orders[opt.order].id == oid and firms[opt.site] == site:
                return all(round(values[col]) == wanted.get(t, 0) for t, col in zip(opt.days, v.x[k], strict=True))
        return False
    skill, lender, borrower = parts
    wanted = _per_day((r.day, r.workers) for r in rc.preferred_loans[(skill, lender, borrower)])
    idx = s.enterprise_index()
    group = (s.skills.index(skill), idx[lender], idx[borrower])
    got = {t: round(values[col]) for (si, a, b, t), col in v.w.items() if (si, a, b) == group}
    return all(got.get(t, 0) == n for t, n in wanted.items()) and all(n == wanted.get(t, 0) for t, n in got.items())


# ----- comparing a plan with the preferred items ---------------------------------------------------------------------


def item_rows(s: Scenario, production: list[ProductionRow], loans: list[LoanRow]) -> dict[str, list[tuple[int, int]]]:
    """Each item's (day, quantity or workers) pairs, sorted, keyed like proposal items."""
    out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in production:
        if r.site != s.order(r.order).owner:
            out[subcontract_item_key(r.order, r.site)][r.day] += r.quantity
    for loan in loans:
        out[loan_item_key(loan.skill, loan.lender, loan.borrower)][loan.day] += loan.workers
    return {key: sorted(days.items()) for key, days in out.items()}


def compare_with_preferred(s: Scenario, plan: Plan, rc: ReplanConstraints) -> dict[str, list[str]]:
    """Which preferred items the plan keeps whole, changes or drops, and which items it adds."""
    preferred = item_rows(s, [r for rows in rc.preferred_subcontracts.values() for r in rows],
                          [r for rows in rc.preferred_loans.values() for r in rows])
    pinned = set(item_rows(s, [r for rows in rc.subcontracts.values() for r in rows],
                           [r for rows in rc.loans.values() for r in rows]))
    now = item_rows(s, plan.production, plan.loans)
    return {
        "kept": sorted(k for k in preferred if now.get(k) == preferred[k]),
        "changed": sorted(k for k in preferred if k in now and now[k] != preferred[k]),
        "removed": sorted(k for k in preferred if k not in now),
        "added": sorted(k for k in now if k not in preferred and k not in pinned),
    }
