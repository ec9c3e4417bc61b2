"""The MILP of MODEL.md: one function per rule family.

Formulation choices, each measured on the shared scenarios (see
docs/solver.md):

* production ``x[o,g,t]`` and loans ``w[s,a,b,t]`` exist only where
  ``solver.candidates`` found them possibly useful, with tight upper bounds
  from the day's labour and machine capacity;
* a sub-contract indicator ``y[o,g]`` per (order, other site) carries the
  minimum lot, the split limit and the link, and is tied to *each* day's
  production (``x[o,g,t] <= ub[o,g,t] * y[o,g]``), not to one aggregated
  big-M: the standard strong fixed-charge form (SOLVER-NOTES);
* a link indicator ``z[a,b]`` per unordered pair, only when link cost > 0,
  tied to every ``y`` and every loan of the pair separately.
* labour rows are written in workers (minutes / workday minutes), which
  keeps coefficients near 1 and the LP well scaled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario
from solver.candidates import Candidates, SiteOption
from solver.milp import INF, Milp
from solver.preference import keep_preferred


class PinError(ValueError):
    """A pinned item that the rules do not allow on this scenario."""


@dataclass
class Variables:
    options: list[SiteOption]
    x: list[list[int]] = field(default_factory=list)  # per option, per day in option.days
    y: dict[int, int] = field(default_factory=dict)  # option index -> var
    w: dict[tuple[int, int, int, int], int] = field(default_factory=dict)  # (skill, lender, borrower, day)
    z: dict[tuple[int, int], int] = field(default_factory=dict)  # (i, j) with i < j
    w_ub: dict[tuple[int, int, int, int], int] = field(default_factory=dict)
    keep: dict[str, int] = field(default_factory=dict)  # preferred item key -> "kept whole" (solver/preference.py)


def _pair(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


# ----- decisions (rules 1, 2 and 5's pair conditions are in which variables exist) -----------


def apply_replan(s: Scenario, c: Candidates, rc: ReplanConstraints) -> list[SiteOption]:
    """Drop options between forbidden pairs; pin confirmed sub-contracts (creating them if pruned)."""
    idx = s.enterprise_index()
    order_idx = {o.id: i for i, o in enumerate(s.orders)}
    options = []
    for opt in c.options:
        o = s.orders[opt.order]
        key = (o.id, c.arrays.firms[opt.site])
        # An unanswered item of a declined pair may stay as it was, but nothing new (solver/preference.py).
        if not opt.own and key not in rc.subcontracts and key not in rc.preferred_subcontracts \
                and rc.forbids(o.owner, key[1]):
            continue
        options.append(opt)
    existing = {(opt.order, opt.site): opt for opt in options}
    for (oid, site), rows in rc.subcontracts.items():
        if oid not in order_idx or site not in idx:
            raise PinError(f"pinned sub-contract {oid} @ {site}: unknown order or enterprise")
        o = s.orders[order_idx[oid]]
        if not s.is_eligible_site(o, site):
            raise PinError(f"pinned sub-contract {oid} @ {site}: the site is not eligible (rule 1)")
        last = s.last_day_at(o, site)
        for r in rows:
            if not o.release_day <= r.day <= last:
                raise PinError(f"pinned sub-contract {oid} @ {site}: day {r.day} outside {o.release_day}..{last}")
        key2 = (order_idx[oid], idx[site])
        if key2 not in existing:
            dist = float(c.arrays.dist[idx[o.owner], idx[site]])
            margin = o.value_per_unit - (0.0 if site == o.owner else s.transport_rate(o) * dist)
            margin -= s.reliability_discount(o, site)
            days = sorted({r.day for r in rows})
            opt = SiteOption(key2[0], key2[1], site == o.owner, margin, days, [0] * len(days))
            options.append(opt)
            existing[key2] = opt
        opt = existing[key2]
        pinned = {r.day: r.quantity for r in rows}
        for d in pinned:
            if d not in opt.days:
                opt.days.append(d)
                opt.unit_ub.append(0)
        order = sorted(range(len(opt.days)), key=opt.days.__getitem__)
        opt.days = [opt.days[k] for k in order]
        opt.unit_ub = [max(opt.unit_ub[k], pinned.get(opt.days[k], 0)) for k in order]
    return options


def production_variables(m: Milp, s: Scenario, options: list[SiteOption], rc: ReplanConstraints) -> Variables:
    """x[o,g,t]: integer units, only on eligible sites (rule 1) and allowed days (rule 2)."""
    v = Variables(options=options)
    firms = [e.id for e in s.enterprises]
    idx = s.enterprise_index()
    for opt in options:
        o = s.orders[opt.order]
        owner = idx[o.owner]
        pinned = {r.day: r.quantity for r in rc.subcontracts.get((o.id, firms[opt.site]), [])}
        fixed = bool(pinned)
        cols = []
        for t, ub in zip(opt.days, opt.unit_ub, strict=True):
            lo = hi = float(pinned.get(t, 0)) if fixed else None
            cols.append(
                m.add_var(
                    lo if lo is not None else 0.0,
                    hi if hi is not None else float(ub),
                    True,
                    opt.margin,
                    f"x[{o.id},{firms[opt.site]},{t}]",
                    (owner, opt.site),
                )
            )
        v.x.append(cols)
    return v


def loan_variables(m: Milp, s: Scenario, c: Candidates, v: Variables, rc: ReplanConstraints) -> None:
    """w[s,a,b,t]: integer workers, only between pairs allowed to lend (rule 5)."""
    a = c.arrays
    idx = s.enterprise_index()
    sk = {code: i for i, code in enumerate(a.skills)}
    pinned: dict[tuple[int, int, int, int], int] = {}
    pinned_groups: set[tuple[int, int, int]] = set()
    for (skill, lender, borrower), rows in rc.loans.items():
        if skill not in sk or lender not in idx or borrower not in idx:
            raise PinError(f"pinned loan {skill} {lender}->{borrower}: unknown skill or enterprise")
        if not s.can_lend(lender, borrower):
            raise PinError(f"pinned loan {skill} {lender}->{borrower}: the pair may not lend (rule 5)")
        g = (sk[skill], idx[lender], idx[borrower])
        pinned_groups.add(g)
        for r in rows:
            if not 0 <= r.day < s.horizon_days:
                raise PinError(f"pinned loan {skill} {lender}->{borrower}: day {r.day} outside the horizon")
            pinned[(*g, r.day)] = r.workers
    keys = dict(c.loans)
    for key, n in pinned.items():
        keys[key] = max(keys.get(key, 0), n)
    commute = s.policy.commute_cost_per_km
    for key in sorted(keys):
        si, src, dst, t = key
        group = (si, src, dst)
        if group not in pinned_groups and rc.forbids(a.firms[src], a.firms[dst]) \
                and (a.skills[si], a.firms[src], a.firms[dst]) not in rc.preferred_loans:
            continue
        if group in pinned_groups:
            lo = hi = float(pinned.get(key, 0))
        else:
            lo, hi = 0.0, float(keys[key])
        v.w[key] = m.add_var(
            lo, hi, True, -commute * float(a.dist[src, dst]),
            f"w[{a.skills[si]},{a.firms[src]},{a.firms[dst]},{t}]",
            (src, dst),
        )
        v.w_ub[key] = int(hi)


def subcontract_indicators(m: Milp, s: Scenario, v: Variables) -> None:
    """y[o,g]: 1 when order o is sub-contracted to site g; needed by rules 7, 8 and 9.

    Each day's units are tied to y on their own (x <= ub * y), the strong form.
    """
    per_order: dict[int, int] = defaultdict(int)
    for opt in v.options:
        if not opt.own:
            per_order[opt.order] += 1
    need_links = s.policy.link_cost > 0
    for k, opt in enumerate(v.options):
        if opt.own:
            continue
        o = s.orders[opt.order]
        lot = min(o.min_lot, o.quantity)
        if not (lot > 1 or per_order[opt.order] > s.policy.max_subcontractors_per_order or need_links):
            continue
        owner = s.enterprise_index()[o.owner]
        y = m.add_var(0.0, 1.0, True, 0.0, f"y[{o.id},{s.enterprises[opt.site].id}]", (owner, opt.site), True)
        v.y[k] = y
        for col, ub in zip(v.x[k], opt.unit_ub, strict=True):
            m.add_row([col, y], [1.0, -float(ub)], -INF, 0.0, "x<=ub*y", redundant=True)
        total = min(o.quantity, sum(opt.unit_ub))
        m.add_row([*v.x[k], y], [1.0] * len(v.x[k]) + [-float(total)], -INF, 0.0, "sum x<=ub*y")


# ----- rules ---------------------------------------------------------------------------------


def quantity_limit(m: Milp, s: Scenario, v: Variables) -> None:
    """Rule 3: all sites together make at most the order's quantity."""
    cols: dict[int, list[int]] = defaultdict(list)
    room: dict[int, int] = defaultdict(int)
    for k, opt in enumerate(v.options):
        cols[opt.order].extend(v.x[k])
        room[opt.order] += sum(opt.unit_ub)
    for oi, cs in cols.items():
        o = s.orders[oi]
        if room[oi] > o.quantity:
            m.add_row(cs, [1.0] * len(cs), -INF, float(o.quantity), f"quantity[{o.id}]")


def labour_capacity(m: Milp, s: Scenario, c: Candidates, v: Variables) -> None:
    """Rule 4: minutes needed at (site, skill, day) fit the workers there after lending."""
    a = c.arrays
    sk = {code: i for i, code in enumerate(a.skills)}
    wd = s.policy.workday_minutes
    rows: dict[tuple[int, int, int], tuple[list[int], list[float]]] = {}
    for k, opt in enumerate(v.options):
        o = s.orders[opt.order]
        per_worker = o.labor_minutes_per_unit / wd
        for t, col in zip(opt.days, v.x[k], strict=True):
            cols, coefs = rows.setdefault((opt.site, sk[o.skill], t), ([], []))
            cols.append(col)
            coefs.append(per_worker)
    for (si, lender, borrower, t), col in v.w.items():
        if (lender, si, t) in rows:
            rows[(lender, si, t)][0].append(col)
            rows[(lender, si, t)][1].append(1.0)
        if (borrower, si, t) in rows:
            rows[(borrower, si, t)][0].append(col)
            rows[(borrower, si, t)][1].append(-1.0)
    for (g, si, t), (cols, coefs) in sorted(rows.items()):
        m.add_row(cols, coefs, -INF, float(a.idle[g, si, t]), f"labour[{a.firms[g]},{a.skills[si]},{t}]")


def lending_capacity(m: Milp, s: Scenario, c: Candidates, v: Variables) -> None:
    """Rule 5: a firm lends at most its consenting idle workers of a skill per day."""
    a = c.arrays
    out: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    room: dict[tuple[int, int, int], int] = defaultdict(int)
    for (si, lender, _b, t), col in v.w.items():
        out[(lender, si, t)].append(col)
        room[(lender, si, t)] += v.w_ub[(si, lender, _b, t)]
    for (g, si, t), cols in sorted(out.items()):
        if room[(g, si, t)] > a.lendable[g, si, t]:
            m.add_row(cols, [1.0] * len(cols), -INF, float(a.lendable[g, si, t]),
                      f"lend[{a.firms[g]},{a.skills[si]},{t}]")


def machine_capacity(m: Milp, s: Scenario, c: Candidates, v: Variables) -> None:
    """Rule 6: machine hours used at (site, machine, day) fit the spare hours."""
    a = c.arrays
    mk = {code: i for i, code in enumerate(a.machines)}
    rows: dict[tuple[int, int, int], tuple[list[int], list[float], float]] = {}
    for k, opt in enumerate(v.options):
        o = s.orders[opt.order]
        if o.machine is None or o.machine_hours_per_unit <= 0:
            continue
        for t, col, ub in zip(opt.days, v.x[k], opt.unit_ub, strict=True):
            key = (opt.site, mk[o.machine], t)
            cols, coefs, load = rows.get(key, ([], [], 0.0))
            cols.append(col)
            coefs.append(o.machine_hours_per_unit)
            rows[key] = (cols, coefs, load + ub * o.machine_hours_per_unit)
    for (g, mi, t), (cols, coefs, load) in sorted(rows.items()):
        if load > a.hours[g, mi, t] + 1e-9:
            m.add_row(cols, coefs, -INF, float(a.hours[g, mi, t]), f"machine[{a.firms[g]},{a.machines[mi]},{t}]")


def minimum_lots(m: Milp, s: Scenario, v: Variables) -> None:
    """Rule 7: away from the owner, an order's total is 0 or at least min(min_lot, quantity)."""
    for k, y in v.y.items():
        o = s.orders[v.options[k].order]
        lot = min(o.min_lot, o.quantity)
        if lot > 1:
            m.add_row([*v.x[k], y], [1.0] * len(v.x[k]) + [-float(lot)], 0.0, INF, f"lot[{o.id}]")


def split_limit(m: Milp, s: Scenario, v: Variables) -> None:
    """Rule 8: at most max_subcontractors_per_order other sites per order."""
    per_order: dict[int, list[int]] = defaultdict(list)
    for k, opt in enumerate(v.options):
        if not opt.own:
            per_order[opt.order].append(k)
    cap = s.policy.max_subcontractors_per_order
    for oi, ks in per_order.items():
        if len(ks) > cap:
            ys = [v.y[k] for k in ks]
            m.add_row(ys, [1.0] * len(ys), -INF, float(cap), f"splits[{s.orders[oi].id}]")


def links(m: Milp, s: Scenario, c: Candidates, v: Variables) -> None:
    """Rule 9 and its cost: z[a,b] = 1 when the pair shares any sub-contract or loan.

    Each sub-contract indicator and each loan is tied to z on its own.
    """
    if s.policy.link_cost <= 0:
        return
    a = c.arrays
    idx = s.enterprise_index()

    def z_of(i: int, j: int) -> int:
        key = _pair(i, j)
        if key not in v.z:
            v.z[key] = m.add_var(
                0.0, 1.0, True, -s.policy.link_cost, f"z[{a.firms[key[0]]},{a.firms[key[1]]}]", key, True
            )
        return v.z[key]

    for k, y in v.y.items():
        opt = v.options[k]
        z = z_of(idx[s.orders[opt.order].owner], opt.site)
        m.add_row([y, z], [1.0, -1.0], -INF, 0.0, "y<=z")
    for key, col in v.w.items():
        _si, lender, borrower, _t = key
        z = z_of(lender, borrower)
        m.add_row([col, z], [1.0, -float(max(1, v.w_ub[key]))], -INF, 0.0, "w<=ub*z")


def build_model(s: Scenario, c: Candidates, rc: ReplanConstraints | None = None) -> tuple[Milp, Variables]:
    rc = rc or ReplanConstraints()
    m = Milp(name=f"alliance-{s.alliance.id}")
    options = apply_replan(s, c, rc)
    v = production_variables(m, s, options, rc)
    loan_variables(m, s, c, v, rc)
    subcontract_indicators(m, s, v)
    quantity_limit(m, s, v)
    labour_capacity(m, s, c, v)
    lending_capacity(m, s, c, v)
    machine_capacity(m, s, c, v)
    minimum_lots(m, s, v)
    split_limit(m, s, v)
    links(m, s, c, v)
    keep_preferred(m, s, c, v, rc)  # minimal-disruption re-planning (solver/preference.py)
    return m, v
