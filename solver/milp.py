"""A small column/row store for a mixed-integer program, turned into a MathOpt model in one go.

Why not add variables one by one through ``mathopt.Model``: building a
county-sized model that way costs a Python call and an expression object per
term.  Collecting the matrix in flat arrays and handing MathOpt one
``ModelProto`` keeps model building a small share of the solve time.

The matrix is kept row by row in three flat ``array.array`` buffers (compressed sparse rows: 4 bytes a
column index, 8 a coefficient) rather than a Python list of lists per row: on gen-800's block (1.86 M
nonzeros in 441,261 rows) the lists took about 180 MB of the model's 429 MB, the arrays take 22 MB.
``array.array`` rather than numpy arrays because the model grows one row at a time; numpy reads the
buffers without a copy where a whole-matrix step (``to_proto``) wants vector operations.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

INF = float("inf")

Row = tuple[array, array]  # (column indices, coefficients) of one row; slices of the store, so copies


class Rows:
    """Read-only row view of a ``Milp``'s matrix: ``rows[i]`` is row i as (columns, coefficients)."""

    def __init__(self, m: Milp) -> None:
        self._cols, self._coefs, self._start = m.row_cols, m.row_coefs, m.row_start

    def __len__(self) -> int:
        return len(self._start) - 1

    def __getitem__(self, i: int) -> Row:
        if i < 0:
            i += len(self)
        a, b = self._start[i], self._start[i + 1]
        return self._cols[a:b], self._coefs[a:b]

    def __iter__(self) -> Iterator[Row]:
        cols, coefs, start = self._cols, self._coefs, self._start
        for i in range(len(start) - 1):
            a, b = start[i], start[i + 1]
            yield cols[a:b], coefs[a:b]


def _as_numpy(buffer: array, dtype: type) -> np.ndarray:
    # np.frombuffer shares the array's memory; an empty buffer has none to share.
    return np.frombuffer(buffer, dtype=dtype) if len(buffer) else np.zeros(0, dtype=dtype)


@dataclass
class Milp:
    name: str = "alliance"
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    obj: list[float] = field(default_factory=list)
    var_names: list[str] = field(default_factory=list)
    # Firms each variable concerns (owner and site, lender and borrower, a linked pair): LNS neighbourhoods use it.
    var_firms: list[tuple[int, ...]] = field(default_factory=list)
    # Yes/no decisions of the plan's shape (which sub-contracts, which linked pairs), as opposed to quantities.
    structural: list[bool] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    # Rows implied by others once the yes/no decisions are integral; they only tighten the LP relaxation.
    row_redundant: list[bool] = field(default_factory=list)
    # Matrix in row order: row i holds row_cols[row_start[i]:row_start[i + 1]] with the same slice of row_coefs.
    row_cols: array = field(default_factory=lambda: array("i"))
    row_coefs: array = field(default_factory=lambda: array("d"))
    row_start: array = field(default_factory=lambda: array("q", [0]))
    objective_offset: float = 0.0

    @property
    def rows(self) -> Rows:
        return Rows(self)

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_rows(self) -> int:
        return len(self.row_lb)

    def add_var(
        self, lb: float, ub: float, integer: bool, obj: float, name: str, firms: tuple[int, ...] = (),
        structural: bool = False,
    ) -> int:
        self.var_firms.append(firms)
        self.structural.append(structural)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(integer)
        self.obj.append(obj)
        self.var_names.append(name)
        return len(self.lb) - 1

    def add_row(
        self, cols: Sequence[int], coefs: Sequence[float], lb: float, ub: float, name: str, redundant: bool = False
    ) -> int:
        if len(cols) != len(coefs):
            raise ValueError(f"row {name!r}: {len(cols)} columns but {len(coefs)} coefficients")
        self.row_redundant.append(redundant)
        self.row_cols.extend(cols)
        self.row_coefs.extend(coefs)
        self.row_start.append(len(self.row_cols))
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        self.row_names.append(name)
        return len(self.row_lb) - 1

    def without_redundant_rows(self) -> Milp:
        keep = [i for i, r in enumerate(self.row_redundant) if not r]
        cols, coefs, start = array("i"), array("d"), array("q", [0])
        for i in keep:
            a, b = self.row_start[i], self.row_start[i + 1]
            cols.extend(self.row_cols[a:b])
            coefs.extend(self.row_coefs[a:b])
            start.append(len(cols))
        return dataclasses.replace(
            self,
            row_cols=cols,
            row_coefs=coefs,
            row_start=start,
            row_lb=[self.row_lb[i] for i in keep],
            row_ub=[self.row_ub[i] for i in keep],
            row_names=[self.row_names[i] for i in keep],
            row_redundant=[False] * len(keep),
        )

    def is_feasible(self, values: list[float], tol: float = 1e-6) -> bool:
        """Every bound and row holds for ``values`` (checked, not assumed, for plans from other solvers)."""
        if len(values) != self.num_vars:
            return False
        for j, x in enumerate(values):
            if x < self.lb[j] - tol or x > self.ub[j] + tol:
                return False
        return self.rows_hold(range(self.num_rows), values, tol)

    def rows_hold(self, rows: Iterable[int], values: list[float], tol: float = 1e-6) -> bool:
        """Rows ``rows`` hold for ``values`` (a cheaper check than ``is_feasible`` after a local change)."""
        for i in rows:
            cols, coefs = self.rows[i]
            act = sum(c * values[j] for j, c in zip(cols, coefs, strict=True))
            if act < self.row_lb[i] - tol or act > self.row_ub[i] + tol:
                return False
        return True

    def to_proto(self, with_names: bool = True) -> model_pb2.ModelProto:
        proto = model_pb2.ModelProto(name=self.name)
        v = proto.variables
        v.ids.extend(range(self.num_vars))
        v.lower_bounds.extend(self.lb)
        v.upper_bounds.extend(self.ub)
        v.integers.extend(self.integer)
        if with_names:
            v.names.extend(self.var_names)
        o = proto.objective
        o.maximize = True
        o.offset = self.objective_offset
        nz = [(j, c) for j, c in enumerate(self.obj) if c != 0.0]
        o.linear_coefficients.ids.extend(j for j, _ in nz)
        o.linear_coefficients.values.extend(c for _, c in nz)
        r = proto.linear_constraints
        r.ids.extend(range(self.num_rows))
        r.lower_bounds.extend(self.row_lb)
        r.upper_bounds.extend(self.row_ub)
        if with_names:
            # MathOpt requires unique names; family names repeat, so the row number makes them unique.
            r.names.extend(f"{n}#{i}" for i, n in enumerate(self.row_names))
        # MathOpt wants the entries sorted by row and then column, each once: duplicate columns of a row are
        # summed (in the order they were added) and zeros dropped, vectorised over the whole matrix.  Rows come
        # out of the model builder sorted almost always, so the sort (and its copies: ~0.5 GB at 3,000 firms)
        # runs only when some row needs it; indices stay 32-bit for the same reason.
        starts = _as_numpy(self.row_start, np.int64)
        cols = _as_numpy(self.row_cols, np.intc)
        coefs = _as_numpy(self.row_coefs, np.float64)
        row_ids = np.repeat(np.arange(self.num_rows, dtype=np.int32), np.diff(starts))
        if len(cols) > 1 and np.any((row_ids[1:] == row_ids[:-1]) & (cols[1:] <= cols[:-1])):
            order = np.lexsort((cols, row_ids))  # stable: duplicates keep the order they were added in
            row_ids, cols, coefs = row_ids[order], cols[order], coefs[order]
            del order
            first = np.ones(len(row_ids), dtype=bool)
            first[1:] = (row_ids[1:] != row_ids[:-1]) | (cols[1:] != cols[:-1])
            at = np.flatnonzero(first)
            coefs = np.add.reduceat(coefs, at)
            row_ids, cols = row_ids[at], cols[at]
        nonzero = coefs != 0.0
        if not nonzero.all():
            row_ids, cols, coefs = row_ids[nonzero], cols[nonzero], coefs[nonzero]
        matrix = proto.linear_constraint_matrix
        # numpy arrays go in directly (protobuf reads them as sequences): no list of 1.86 M Python ints on gen-800.
        matrix.row_ids.extend(row_ids)
        matrix.column_ids.extend(cols)
        matrix.coefficients.extend(coefs)
        return proto

    def to_mathopt(self, with_names: bool = True) -> mathopt.Model:
        return mathopt.Model.from_model_proto(self.to_proto(with_names))
