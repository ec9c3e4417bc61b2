"""What a re-plan keeps, what it excludes and what it prefers, independent of any solver.

After a proposal is approved, each firm confirms or declines its items.  A
re-plan keeps every confirmed item exactly as it was (pinned) and forbids any
*new* link between a pair whose item was declined; the solver re-optimises
the rest.  A confirmed item between a pair that also declined another item
stays: it was agreed, and forbidding the pair must not undo it.

A declined pair's other items that nobody has answered yet are not new: they may
stay exactly as they were or go, but the pair gets nothing added or changed.

Items nobody has answered yet are the *preferred* arrangement (minimal
disruption, docs/solver.md "Re-planning"): the re-plan may change or drop
one, but each such change costs ``change_penalty`` yuan in the solver's
objective, so an item moves only when moving it earns the alliance more than
that.  The reported objective stays MODEL.md's, without the penalty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from alliance.plan import LoanRow, ProductionRow

# Yuan a re-plan must gain per preferred item it changes or drops, unless the coordinator sets another.  On the
# demo park one link costs 300 yuan; with 200 a decline still moved 6 unanswered items for a few hundred yuan in
# all, with 500 none or few (docs/solver.md, "Re-planning").
DEFAULT_CHANGE_PENALTY = 500.0


def subcontract_item_key(order: str, site: str) -> str:
    return f"subcontract:{order}:{site}"


def loan_item_key(skill: str, lender: str, borrower: str) -> str:
    return f"loan:{skill}:{lender}:{borrower}"


@dataclass(frozen=True)
class ReplanConstraints:
    """Items a new plan must reproduce unchanged, pairs it must not link anew, and items it should keep.

    ``subcontracts`` maps (order, site) to that sub-contract's rows; ``loans``
    maps (skill, lender, borrower) to that loan's rows.  A pinned item is kept
    whole: the same units on the same days, nothing added on other days.
    ``preferred_subcontracts`` / ``preferred_loans`` have the same shape: items
    kept whole unless changing them is worth ``change_penalty`` yuan each.
    ``start_production`` / ``start_loans`` are a plan to start the search from
    (the previous version); they bind nothing.
    """

    subcontracts: dict[tuple[str, str], list[ProductionRow]] = field(default_factory=dict)
    loans: dict[tuple[str, str, str], list[LoanRow]] = field(default_factory=dict)
    forbidden_pairs: frozenset[frozenset[str]] = frozenset()
    preferred_subcontracts: dict[tuple[str, str], list[ProductionRow]] = field(default_factory=dict)
    preferred_loans: dict[tuple[str, str, str], list[LoanRow]] = field(default_factory=dict)
    change_penalty: float = 0.0
    start_production: tuple[ProductionRow, ...] = ()
    start_loans: tuple[LoanRow, ...] = ()

    @classmethod
    def build(
        cls,
        production: Iterable[ProductionRow] = (),
        loans: Iterable[LoanRow] = (),
        forbidden_pairs: Iterable[tuple[str, str]] = (),
        *,
        preferred_production: Iterable[ProductionRow] = (),
        preferred_loans: Iterable[LoanRow] = (),
        change_penalty: float = 0.0,
        start_production: Iterable[ProductionRow] = (),
        start_loans: Iterable[LoanRow] = (),
    ) -> ReplanConstraints:
        if change_penalty < 0:
            raise ValueError(f"change_penalty = {change_penalty}: must be >= 0")
        pairs = frozenset(frozenset((a, b)) for a, b in forbidden_pairs if a != b)
        return cls(_by_subcontract(production), _by_loan(loans), pairs, _by_subcontract(preferred_production),
                   _by_loan(preferred_loans), float(change_penalty), tuple(start_production), tuple(start_loans))

    def forbids(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.forbidden_pairs

    @property
    def preferred_keys(self) -> list[str]:
        """The proposal item keys of the preferred items, sorted."""
        keys = [subcontract_item_key(o, g) for o, g in self.preferred_subcontracts]
        keys += [loan_item_key(s, a, b) for s, a, b in self.preferred_loans]
        return sorted(keys)

    def __bool__(self) -> bool:
        return bool(self.subcontracts or self.loans or self.forbidden_pairs or self.preferred_subcontracts
                    or self.preferred_loans or self.start_production or self.start_loans)


def _by_subcontract(rows: Iterable[ProductionRow]) -> dict[tuple[str, str], list[ProductionRow]]:
    out: dict[tuple[str, str], list[ProductionRow]] = {}
    for row in rows:
        out.setdefault((row.order, row.site), []).append(row)
    return out


def _by_loan(rows: Iterable[LoanRow]) -> dict[tuple[str, str, str], list[LoanRow]]:
    out: dict[tuple[str, str, str], list[LoanRow]] = {}
    for loan in rows:
        out.setdefault((loan.skill, loan.lender, loan.borrower), []).append(loan)
    return out
