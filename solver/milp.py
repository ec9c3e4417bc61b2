"""A small column/row store for a mixed-integer program, turned into a MathOpt model in one go.

Why not add variables one by one through ``mathopt.Model``: building a
county-sized model that way costs a Python call and an expression object per
term.  Collecting the matrix in flat lists and handing MathOpt one
``ModelProto`` keeps model building a small share of the solve time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.math_opt import model_pb2, sparse_containers_pb2
from ortools.math_opt.python import mathopt

INF = float("inf")


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
    # Matrix in row order: rows[i] = (columns, coefficients)
    rows: list[tuple[list[int], list[float]]] = field(default_factory=list)
    objective_offset: float = 0.0

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
        self, cols: list[int], coefs: list[float], lb: float, ub: float, name: str, redundant: bool = False
    ) -> int:
        self.row_redundant.append(redundant)
        self.rows.append((cols, coefs))
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        self.row_names.append(name)
        return len(self.row_lb) - 1

    def without_redundant_rows(self) -> Milp:
        keep = [i for i, r in enumerate(self.row_redundant) if not r]
        return dataclasses.replace(
            self,
            rows=[self.rows[i] for i in keep],
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
        m = sparse_containers_pb2.SparseDoubleMatrixProto()
        for i, (cols, coefs) in enumerate(self.rows):
            merged: dict[int, float] = {}
            for j, c in zip(cols, coefs, strict=True):
                merged[j] = merged.get(j, 0.0) + c
            for j in sorted(merged):
                if merged[j] != 0.0:
                    m.row_ids.append(i)
                    m.column_ids.append(j)
                    m.coefficients.append(merged[j])
        proto.linear_constraint_matrix.CopyFrom(m)
        return proto

    def to_mathopt(self, with_names: bool = True) -> mathopt.Model:
        return mathopt.Model.from_model_proto(self.to_proto(with_names))
