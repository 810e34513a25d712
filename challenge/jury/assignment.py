"""Automatic reviewer assignment, solved as a minimum-cost flow (HotCRP style).

The flow network is::

    source --load arcs--> juror --1 per eligible pair--> proposal --reviews still needed--> sink

* A juror's *load arcs* are unit arcs whose costs rise with the load: the k-th review given to a
  juror who already holds ``p`` pinned reviews costs ``p + k``. Rising (convex) costs make the
  cheapest flow the most balanced one: moving one review from a juror of load ``a`` to a juror of
  load ``b <= a - 2`` always lowers the total, so with no conflicts the loads differ by at most one.
* A juror -> proposal arc exists only for an *eligible* pair: not conflicted, not manually removed,
  not already pinned, and only towards a proposal that still needs reviewers.
* The proposal -> sink arc carries the number of reviews the proposal still needs once its pins are
  counted.

``SimpleMinCostFlow.solve_max_flow_with_min_cost`` first maximises the flow (as many reviews as the
conflicts allow: a proposal that cannot be covered is reported as a shortfall, never raised), then
minimises the cost among maximum flows. The cost mixes two objectives with weights chosen so that
one strictly dominates the other (lexicographic optimum, proved in ``_cost_weights``):

* ``rebalance=False`` (default, *keep*): every still-valid current pair is kept first, then the gaps
  are filled as evenly as possible given the loads the kept pairs already impose. A rerun after a
  juror leaves, or after a conflict or removal appears, moves exactly the pairs that became invalid
  and nothing else. Reviews already in progress are never moved behind a juror's back; the price is
  that a juror who joins late only receives the gaps.
* ``rebalance=True``: loads are balanced first, then as many current pairs as possible are kept.
  Use it to spread the work again after jurors joined; it may move valid pairs.

To keep the graph small, each juror gets unit load arcs only up to a little above the average load,
plus one overflow arc priced like the next unit. The overflow arc is never cheaper than the exact
convex cost, so if no juror sends more than one unit through it the truncated optimum is also the
exact optimum; otherwise the number of unit arcs is doubled and the problem solved again.

All inputs are plain values; the output only depends on them and on the order of ``proposals`` and
``jurors`` (set iteration order is never used), so the same input always gives the same result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

Id = int | str
Pair = tuple[Id, Id]  # (juror id, proposal id)


@dataclass(frozen=True)
class AssignmentProblem:
    """What to assign: ids, reviews wanted per proposal and the manual constraints.

    ``conflicts`` and ``removed`` pairs are never assigned, and they win over a contradictory pin.
    ``pinned`` pairs are kept whatever happens and count toward the proposal's reviews and the
    juror's load. ``current`` is the assignment in force before this run (pairs naming unknown ids,
    e.g. a juror who left, are simply dropped). Iterables are frozen on construction.
    """

    proposals: tuple[Id, ...]
    jurors: tuple[Id, ...]
    reviews_per_proposal: int
    conflicts: frozenset[Pair] = frozenset()
    pinned: frozenset[Pair] = frozenset()
    removed: frozenset[Pair] = frozenset()
    current: frozenset[Pair] = frozenset()
    rebalance: bool = False

    def __post_init__(self) -> None:
        """Freeze the collections and reject malformed input (not infeasible input)."""
        for name in ("proposals", "jurors"):
            ids = tuple(getattr(self, name))
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate ids in {name}")
            object.__setattr__(self, name, ids)
        for name in ("conflicts", "pinned", "removed", "current"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if self.reviews_per_proposal < 0:
            raise ValueError("reviews_per_proposal must be >= 0")


@dataclass(frozen=True)
class Shortfall:
    """A proposal that could not get enough distinct, non-conflicted reviewers."""

    proposal: Id
    assigned: int
    missing: int


@dataclass(frozen=True)
class AssignmentResult:
    """The chosen assignment and what the interface needs to explain it.

    ``pairs`` includes the pins; ``reviewers`` lists each proposal's jurors in juror input order;
    ``loads`` covers every juror (0 when unused); ``added``/``dropped`` compare with ``current``;
    ``ignored_pins`` are pins naming an unknown id or a conflicted/removed pair;
    ``solver_seconds`` is the time spent inside ``SimpleMinCostFlow`` only.
    """

    pairs: frozenset[Pair]
    reviewers: Mapping[Id, tuple[Id, ...]]
    loads: Mapping[Id, int]
    shortfalls: tuple[Shortfall, ...]
    added: frozenset[Pair]
    dropped: frozenset[Pair]
    ignored_pins: frozenset[Pair]
    solver_seconds: float

    @property
    def load_spread(self) -> int:
        """Largest minus smallest juror load (0 without jurors)."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


@dataclass(frozen=True)
class _Indexed:
    """The problem as numpy arrays: rows are jurors, columns are proposals."""

    pinned: np.ndarray  # (jurors, proposals) bool: valid pins
    eligible: np.ndarray  # (jurors, proposals) bool: pairs the solver may add
    keep: np.ndarray  # (jurors, proposals) bool: eligible pairs already in ``current``
    need: np.ndarray  # (proposals,) int64: reviews still needed after the pins
    ignored_pins: frozenset[Pair]


def assign_reviewers(problem: AssignmentProblem) -> AssignmentResult:
    """Solve ``problem``: maximum coverage, then the documented lexicographic min cost."""
    idx = _index(problem)
    chosen = np.zeros_like(idx.eligible)
    solver_seconds = 0.0
    if idx.eligible.any():
        levels = _initial_levels(idx, len(problem.jurors))
        while True:
            chosen, seconds, exact = _solve(idx, levels, problem.rebalance)
            solver_seconds += seconds
            if exact:
                break
            levels = levels * 2 + 1
    return _result(problem, idx, chosen, solver_seconds)


def _index(problem: AssignmentProblem) -> _Indexed:
    """Map ids to rows/columns and build the boolean matrices of the constraints."""
    j_index = {j: i for i, j in enumerate(problem.jurors)}
    p_index = {p: i for i, p in enumerate(problem.proposals)}
    shape = (len(j_index), len(p_index))
    forbidden = _matrix(problem.conflicts | problem.removed, j_index, p_index, shape)
    pins_asked = _matrix(problem.pinned, j_index, p_index, shape)
    pinned = pins_asked & ~forbidden
    ignored = frozenset(
        (j, p)
        for j, p in problem.pinned
        if not _known(j, p, j_index, p_index) or forbidden[j_index[j], p_index[p]]
    )
    need = np.maximum(problem.reviews_per_proposal - pinned.sum(axis=0), 0).astype(np.int64)
    eligible = ~forbidden & ~pinned & (need > 0)[np.newaxis, :]
    keep = eligible & _matrix(problem.current, j_index, p_index, shape)
    return _Indexed(pinned, eligible, keep, need, ignored)


def _known(j: Id, p: Id, j_index: Mapping[Id, int], p_index: Mapping[Id, int]) -> bool:
    """Whether both ids of a pair belong to the problem."""
    return j in j_index and p in p_index


def _matrix(
    pairs: Iterable[Pair],
    j_index: Mapping[Id, int],
    p_index: Mapping[Id, int],
    shape: tuple[int, int],
) -> np.ndarray:
    """Boolean juror x proposal matrix of the known ``pairs`` (unknown ids are skipped)."""
    matrix = np.zeros(shape, dtype=bool)
    coords = [(j_index[j], p_index[p]) for j, p in pairs if _known(j, p, j_index, p_index)]
    if coords:
        rows, cols = np.array(coords, dtype=np.int64).T
        matrix[rows, cols] = True
    return matrix


def _initial_levels(idx: _Indexed, n_jurors: int) -> np.ndarray:
    """Unit load arcs per juror: up to a little above the mean load, or above the kept pairs."""
    total = int(idx.pinned.sum() + idx.need.sum())
    target = math.ceil(total / n_jurors) + 1
    pin_load = idx.pinned.sum(axis=1)
    return np.maximum(target - pin_load, idx.keep.sum(axis=1)) + 1


def _cost_weights(idx: _Indexed, max_level: int, rebalance: bool) -> tuple[int, int]:
    """Return (cost per load level, cost of a pair that is not in ``current``).

    Every flow compared has the same value F (maximum flow first). Its load cost is ``unit * s``
    with F <= s <= F * max_level, and its stability cost is ``new * a`` with a = F - kept pairs.
    * rebalance: unit = K + 1 with K the number of keepable pairs, new = 1. Stability costs differ
      by at most K < unit, while two different load sums differ by at least ``unit``: balance wins.
    * keep: unit = 1, new = F * max_level + 1, larger than any difference of load costs: keeping
      wins, and balance decides among the assignments that keep the most pairs.
    """
    if rebalance:
        return int(idx.keep.sum()) + 1, 1
    return 1, int(idx.need.sum()) * max_level + 1


def _solve(idx: _Indexed, levels: np.ndarray, rebalance: bool) -> tuple[np.ndarray, float, bool]:
    """Build and solve the network; return (chosen pairs matrix, solver seconds, exact?)."""
    n_jurors, n_proposals = idx.eligible.shape
    capacity = idx.eligible.sum(axis=1).astype(np.int64)
    units = np.minimum(levels, capacity).astype(np.int64)
    max_level = int((idx.pinned.sum(axis=1) + units + 1).max())
    unit_cost, new_cost = _cost_weights(idx, max_level, rebalance)

    smcf = min_cost_flow.SimpleMinCostFlow()
    rows, cols, pair_arcs = _add_pair_arcs(smcf, idx, new_cost)
    overflow_arcs = _add_load_arcs(smcf, idx, units, capacity, unit_cost)
    sink = n_jurors + n_proposals + 1
    wanted = np.nonzero(idx.need)[0]
    need = idx.need[wanted]
    _add_arcs(smcf, wanted + n_jurors + 1, np.full_like(wanted, sink), need, np.zeros_like(need))
    total = int(need.sum())
    smcf.set_nodes_supplies(
        np.array([0, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64)
    )

    started = time.perf_counter()
    status = smcf.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - started
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver failed with status {status}")

    chosen = np.zeros_like(idx.eligible)
    used = smcf.flows(pair_arcs) > 0
    chosen[rows[used], cols[used]] = True
    exact = overflow_arcs.size == 0 or int(smcf.flows(overflow_arcs).max()) <= 1
    return chosen, seconds, exact


def _add_pair_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow, idx: _Indexed, new_cost: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Juror -> proposal arcs of the eligible pairs; return (juror rows, proposal cols, arcs)."""
    n_jurors = idx.eligible.shape[0]
    rows, cols = np.nonzero(idx.eligible)  # row-major: a deterministic arc order
    costs = np.where(idx.keep[rows, cols], 0, new_cost)
    arcs = _add_arcs(smcf, rows + 1, cols + n_jurors + 1, np.ones_like(rows), costs)
    return rows, cols, arcs


def _add_load_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow,
    idx: _Indexed,
    units: np.ndarray,
    capacity: np.ndarray,
    unit_cost: int,
) -> np.ndarray:
    """Source -> juror arcs with rising costs; return the overflow arcs.

    Juror j gets ``units[j]`` unit arcs, the k-th costing ``unit_cost * (pins_j + k)``, then one
    overflow arc for the rest of its capacity, priced like the next unit.
    """
    pin_load = idx.pinned.sum(axis=1).astype(np.int64)
    jurors = np.arange(len(units))
    tails = np.repeat(jurors, units)
    rank_in_juror = np.arange(tails.size) - np.repeat(np.cumsum(units) - units, units)
    costs = unit_cost * (pin_load[tails] + rank_in_juror + 1)
    _add_arcs(smcf, np.zeros_like(tails), tails + 1, np.ones_like(tails), costs)

    spill = jurors[capacity > units]
    costs = unit_cost * (pin_load[spill] + units[spill] + 1)
    room = capacity[spill] - units[spill]
    return _add_arcs(smcf, np.zeros_like(spill), spill + 1, room, costs)


def _add_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow,
    tails: np.ndarray,
    heads: np.ndarray,
    capacities: np.ndarray,
    costs: np.ndarray,
) -> np.ndarray:
    """Add arcs in bulk with the dtypes OR-Tools expects; return their indices."""
    if tails.size == 0:
        return np.zeros(0, dtype=np.int32)
    return np.asarray(
        smcf.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32),
            heads.astype(np.int32),
            capacities.astype(np.int64),
            costs.astype(np.int64),
        ),
        dtype=np.int32,
    )


def _result(
    problem: AssignmentProblem, idx: _Indexed, chosen: np.ndarray, solver_seconds: float
) -> AssignmentResult:
    """Turn the chosen matrix (plus the pins) back into ids, loads and shortfalls."""
    assigned = idx.pinned | chosen
    jurors, proposals = problem.jurors, problem.proposals
    reviewers = {
        p: tuple(jurors[i] for i in np.nonzero(assigned[:, k])[0]) for k, p in enumerate(proposals)
    }
    pairs = frozenset((j, p) for p, js in reviewers.items() for j in js)
    loads = dict(zip(jurors, assigned.sum(axis=1).tolist(), strict=True))
    wanted = problem.reviews_per_proposal
    shortfalls = tuple(
        Shortfall(p, len(js), wanted - len(js)) for p, js in reviewers.items() if len(js) < wanted
    )
    return AssignmentResult(
        pairs=pairs,
        reviewers=reviewers,
        loads=loads,
        shortfalls=shortfalls,
        added=pairs - problem.current,
        dropped=problem.current - pairs,
        ignored_pins=idx.ignored_pins,
        solver_seconds=solver_seconds,
    )
