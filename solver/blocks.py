"""Exact decomposition of the MILP into independent blocks.

Firms interact only within the lending and sub-contracting radii, so a
county-wide model usually falls apart into groups of firms that share no
row.  Each group is an independent MILP: solving them apart and adding the
objectives and bounds loses nothing, and lets two cores work on two groups.
Tiny groups are packed together so a county of 800 firms is a few dozen
solves, not hundreds.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field

from solver.milp import Milp


class _UnionFind:
    # Hand-written: scipy's connected_components would need the matrix built twice; this is 15 lines.
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Block:
    vars: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.vars)


def split_blocks(m: Milp) -> list[Block]:
    uf = _UnionFind(m.num_vars)
    for cols, _ in m.rows:
        for j in cols[1:]:
            uf.union(cols[0], j)
    by_root: dict[int, Block] = {}
    for j in range(m.num_vars):
        by_root.setdefault(uf.find(j), Block()).vars.append(j)
    for i, (cols, _) in enumerate(m.rows):
        if cols:
            by_root[uf.find(cols[0])].rows.append(i)
    return sorted(by_root.values(), key=lambda b: b.vars[0])


def pack_blocks(blocks: list[Block], target_vars: int) -> list[Block]:
    """Merge small blocks (in order, so the result is deterministic) into batches of about ``target_vars``."""
    batches: list[Block] = []
    current = Block()
    for b in sorted(blocks, key=lambda b: (-b.size, b.vars[0])):
        if b.size >= target_vars:
            batches.append(b)
            continue
        if current.size + b.size > target_vars and current.vars:
            batches.append(current)
            current = Block()
        current.vars.extend(b.vars)
        current.rows.extend(b.rows)
    if current.vars:
        batches.append(current)
    for b in batches:
        b.vars.sort()
        b.rows.sort()
    return batches


def sub_milp(m: Milp, block: Block) -> Milp:
    """The block as a MILP of its own; variable k of the result is ``block.vars[k]``.

    A block that holds every variable and row is the model itself, not a copy: a county model is usually one
    block, and its copy was 198 MB on gen-800.  Nothing changes a model once it is built (strategies derive
    theirs with ``dataclasses.replace`` or ``with_others_fixed``), so sharing it is safe.
    """
    if len(block.vars) == m.num_vars and len(block.rows) == m.num_rows:
        return m
    local = {j: k for k, j in enumerate(block.vars)}
    sub = Milp(name=f"{m.name}-block{block.vars[0]}")
    for j in block.vars:
        sub.add_var(m.lb[j], m.ub[j], m.integer[j], m.obj[j], m.var_names[j], m.var_firms[j], m.structural[j])
    for i in block.rows:
        cols, coefs = m.rows[i]
        sub.add_row([local[j] for j in cols], list(coefs), m.row_lb[i], m.row_ub[i], m.row_names[i], m.row_redundant[i])
    return sub


def rows_of_columns(m: Milp) -> list[list[int]]:
    """For each variable, the rows it appears in (the column view of the matrix, built once per block)."""
    rows_of: list[list[int]] = [[] for _ in range(m.num_vars)]
    for i, (cols, _) in enumerate(m.rows):
        for j in cols:
            if not rows_of[j] or rows_of[j][-1] != i:
                rows_of[j].append(i)
    return rows_of


def with_others_fixed(m: Milp, keep: list[int], values: list[float], rows_of: list[list[int]]) -> Milp:
    """The MILP over ``keep``, every other variable held at its value in ``values``: a neighbourhood of a plan.

    Links across the neighbourhood's edge keep what the plan gives them (rather than being dropped, as parts
    solved apart once did), so the plan restricted to ``keep`` stays feasible and a solve of the neighbourhood
    can only improve on it.  Only rows that touch ``keep`` are built, with the fixed variables' part moved into
    their bounds.  Variable k of the result is ``keep[k]``.
    """
    local = {j: k for k, j in enumerate(keep)}
    sub = Milp(name=f"{m.name}-neighbourhood")
    for j in keep:
        sub.add_var(m.lb[j], m.ub[j], m.integer[j], m.obj[j], m.var_names[j], m.var_firms[j], m.structural[j])
    for i in sorted({i for j in keep for i in rows_of[j]}):
        cols, coefs = m.rows[i]
        free_cols: list[int] = []
        free_coefs: list[float] = []
        fixed = 0.0
        for j, c in zip(cols, coefs, strict=True):
            k = local.get(j)
            if k is None:
                fixed += c * values[j]
            else:
                free_cols.append(k)
                free_coefs.append(c)
        sub.add_row(free_cols, free_coefs, m.row_lb[i] - fixed, m.row_ub[i] - fixed, m.row_names[i],
                    m.row_redundant[i])
    return sub


def geographic_parts(m: Milp, lat: list[float], lon: list[float], max_firms: int) -> list[list[int]]:
    """Split the model's variables into groups of neighbouring firms (recursive halving of the longer side).

    A variable goes to a group only when every firm it concerns is in that group; the rest (links across a
    boundary) belong to no group.  Hand-written: a k-d split is a dozen lines and needs no new dependency.
    """
    firms = sorted({f for fs in m.var_firms for f in fs})

    def halve(group: list[int]) -> list[list[int]]:
        if len(group) <= max_firms:
            return [group]
        span_lat = max(lat[f] for f in group) - min(lat[f] for f in group)
        span_lon = max(lon[f] for f in group) - min(lon[f] for f in group)
        coord = lat if span_lat >= span_lon else lon
        ordered = sorted(group, key=lambda f: (coord[f], f))
        mid = len(ordered) // 2
        return halve(ordered[:mid]) + halve(ordered[mid:])

    return _columns_of_groups(m, halve(firms))


def _columns_of_groups(m: Milp, groups: list[list[int]]) -> list[list[int]]:
    # A variable goes to a group only when every firm it concerns is in that group.
    part_of: dict[int, int] = {}
    for p, group in enumerate(groups):
        for f in group:
            part_of[f] = p
    parts: dict[int, list[int]] = {}
    for j, fs in enumerate(m.var_firms):
        owners = {part_of[f] for f in fs}
        if len(owners) == 1:
            parts.setdefault(owners.pop(), []).append(j)
    return [parts[p] for p in sorted(parts)]


def firm_links(m: Milp) -> dict[int, Counter[int]]:
    """For each firm, how many of the model's variables it shares with each other firm."""
    links: dict[int, Counter[int]] = {f: Counter() for fs in m.var_firms for f in fs}
    for fs in m.var_firms:
        if len(fs) > 1:
            distinct = set(fs)
            for a in distinct:
                for b in distinct:
                    if a != b:
                        links[a][b] += 1
    return links


def linked_parts(m: Milp, links: dict[int, Counter[int]], max_firms: int, rng: random.Random) -> list[list[int]]:
    """Split the model's variables into groups of up to ``max_firms`` firms grown along their links.

    Greedy graph growing (the initial partitioning of METIS): from a random firm not yet placed, add the unplaced
    firm that shares the most variables with the group, until it is full.  A county's firms sit in compact parks,
    which a geometric halving cuts: on gen-800 one such partition leaves 212,000-237,000 of the 360,558 columns
    inside a group, the halving 156,000-176,000.  Hand-written: two dozen lines, where a graph library would be a
    new dependency for one heuristic.
    """
    unplaced = set(links)
    order = sorted(unplaced)
    rng.shuffle(order)
    groups: list[list[int]] = []
    for seed in order:
        if seed not in unplaced:
            continue
        unplaced.discard(seed)
        group = [seed]
        shared = Counter({f: c for f, c in links[seed].items() if f in unplaced})
        # Max-heap of (shared count, firm), entries made stale by later counts are skipped when popped.
        frontier = [(-c, f) for f, c in shared.items()]
        heapq.heapify(frontier)
        while len(group) < max_firms and frontier:
            count, firm = heapq.heappop(frontier)
            if firm not in unplaced or -count != shared[firm]:
                continue
            unplaced.discard(firm)
            group.append(firm)
            for other, c in links[firm].items():
                if other in unplaced:
                    shared[other] += c
                    heapq.heappush(frontier, (-shared[other], other))
        groups.append(group)
    return _columns_of_groups(m, groups)
