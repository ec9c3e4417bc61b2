"""What a re-plan keeps and what it excludes, independent of any solver.

After a proposal is approved, each firm confirms or declines its items.  A
re-plan keeps every confirmed item exactly as it was (pinned) and forbids any
*new* link between a pair whose item was declined; the solver re-optimises
the rest.  A confirmed item between a pair that also declined another item
stays: it was agreed, and forbidding the pair must not undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from alliance.plan import LoanRow, ProductionRow


@dataclass(frozen=True)
class ReplanConstraints:
    """Items a new plan must reproduce unchanged, and pairs it must not link anew.

    ``subcontracts`` maps (order, site) to that sub-contract's rows; ``loans``
    maps (skill, lender, borrower) to that loan's rows.  A pinned item is kept
    whole: the same units on the same days, nothing added on other days.
    """

    subcontracts: dict[tuple[str, str], list[ProductionRow]] = field(default_factory=dict)
    loans: dict[tuple[str, str, str], list[LoanRow]] = field(default_factory=dict)
    forbidden_pairs: frozenset[frozenset[str]] = frozenset()

    @classmethod
    def build(
        cls,
        production: Iterable[ProductionRow] = (),
        loans: Iterable[LoanRow] = (),
        forbidden_pairs: Iterable[tuple[str, str]] = (),
    ) -> ReplanConstraints:
        subs: dict[tuple[str, str], list[ProductionRow]] = {}
        for row in production:
            subs.setdefault((row.order, row.site), []).append(row)
        lns: dict[tuple[str, str, str], list[LoanRow]] = {}
        for loan in loans:
            lns.setdefault((loan.skill, loan.lender, loan.borrower), []).append(loan)
        pairs = frozenset(frozenset((a, b)) for a, b in forbidden_pairs if a != b)
        return cls(subs, lns, pairs)

    def forbids(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.forbidden_pairs

    def __bool__(self) -> bool:
        return bool(self.subcontracts or self.loans or self.forbidden_pairs)
