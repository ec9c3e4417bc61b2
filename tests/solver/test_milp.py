"""The model store (``solver.milp.Milp``): its flat row arrays and the ``ModelProto`` built from them."""

from __future__ import annotations

import pytest

from alliance.generator import generate_alliance
from solver.candidates import build_candidates
from solver.milp import Milp
from solver.model import build_model


def test_rows_read_back_as_added_and_a_row_of_unequal_parts_is_refused() -> None:
    m = Milp()
    for j in range(3):
        m.add_var(0.0, 1.0, False, 1.0, f"v{j}")
    m.add_row([0, 2], [1.0, 2.0], 0.0, 1.0, "a")
    m.add_row([], [], 0.0, 0.0, "empty")
    m.add_row([1], [3.0], 0.0, 1.0, "b")
    assert [(list(c), list(v)) for c, v in m.rows] == [([0, 2], [1.0, 2.0]), ([], []), ([1], [3.0])]
    assert list(m.rows[-1][0]) == [1] and len(m.rows) == m.num_rows == 3
    with pytest.raises(ValueError, match="'c': 2 columns but 1 coefficients"):
        m.add_row([0, 1], [1.0], 0.0, 1.0, "c")
    assert m.num_rows == 3, "a refused row leaves nothing behind"


def test_the_proto_sums_duplicates_drops_zeros_and_sorts_each_row() -> None:
    m = Milp()
    for j in range(4):
        m.add_var(0.0, 1.0, False, 1.0, f"v{j}")
    m.add_row([0, 1], [1.0, 2.0], 0.0, 1.0, "sorted")
    m.add_row([3, 1, 3, 2, 2], [1.0, 1.0, 0.5, 1.0, -1.0], 0.0, 1.0, "messy")
    matrix = m.to_proto().linear_constraint_matrix
    assert list(zip(matrix.row_ids, matrix.column_ids, matrix.coefficients, strict=True)) == [
        (0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0), (1, 3, 1.5)]


def test_the_proto_holds_every_row_of_a_generated_alliance() -> None:
    s = generate_alliance(12, seed=5, tight=True)
    milp, _ = build_model(s, build_candidates(s), None)
    matrix = milp.to_proto(with_names=False).linear_constraint_matrix
    expected = sorted((i, j, c) for i, (cols, coefs) in enumerate(milp.rows)
                      for j, c in zip(cols, coefs, strict=True) if c != 0.0)
    assert list(zip(matrix.row_ids, matrix.column_ids, matrix.coefficients, strict=True)) == expected
    lean = milp.without_redundant_rows()
    assert lean.num_rows == sum(not r for r in milp.row_redundant) < milp.num_rows
    assert [list(c) for c, _ in lean.rows] == [list(c) for i, (c, _) in enumerate(milp.rows)
                                               if not milp.row_redundant[i]]
