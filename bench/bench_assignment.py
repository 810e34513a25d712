"""Benchmark of the automatic reviewer assignment on a large campaign.

Builds 5,000 proposals, 100 jurors, 3 reviews each and 5% seeded random conflicts, solves it,
checks the result (full coverage, no conflict, no duplicate juror, loads within one) and prints the
total time beside the time spent in the solver alone. Exits with 1 if the goal is missed or if the
verification fails. Run from the repository root::

    .venv/bin/python bench/bench_assignment.py [--proposals N] [--jurors N] [--seed N]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from challenge.jury.assignment import (  # noqa: E402
    AssignmentProblem,
    AssignmentResult,
    assign_reviewers,
)

GOAL_SECONDS = 5.0


def build_problem(
    n_proposals: int, n_jurors: int, reviews: int, conflict_rate: float, seed: int
) -> AssignmentProblem:
    """A campaign whose conflicts are drawn uniformly at random with a fixed seed."""
    rng = np.random.default_rng(seed)
    proposals = tuple(f"p{i}" for i in range(n_proposals))
    jurors = tuple(f"j{i}" for i in range(n_jurors))
    rows, cols = np.nonzero(rng.random((n_jurors, n_proposals)) < conflict_rate)
    conflicts = frozenset((jurors[r], proposals[c]) for r, c in zip(rows, cols, strict=True))
    return AssignmentProblem(proposals, jurors, reviews, conflicts=conflicts)


def verify(problem: AssignmentProblem, result: AssignmentResult) -> list[str]:
    """Return the broken requirements (empty when the result is valid)."""
    errors = []
    if result.shortfalls:
        errors.append(f"{len(result.shortfalls)} proposals short of reviewers")
    if any(len(set(js)) != problem.reviews_per_proposal for js in result.reviewers.values()):
        errors.append("a proposal has the wrong number of distinct reviewers")
    if result.pairs & problem.conflicts:
        errors.append("a conflicted pair was assigned")
    if result.load_spread > 1:
        errors.append(f"loads differ by {result.load_spread}")
    return errors


def main() -> int:
    """Run the benchmark once and print one summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--jurors", type=int, default=100)
    parser.add_argument("--reviews", type=int, default=3)
    parser.add_argument("--conflicts", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args()

    problem = build_problem(args.proposals, args.jurors, args.reviews, args.conflicts, args.seed)
    started = time.perf_counter()
    result = assign_reviewers(problem)
    total = time.perf_counter() - started
    errors = verify(problem, result)

    verdict = "OK" if total < GOAL_SECONDS and not errors else "FAILED"
    print(
        f"assignment {args.proposals} proposals x {args.jurors} jurors x {args.reviews} reviews, "
        f"{args.conflicts:.0%} conflicts: total {total:.2f} s "
        f"(solver alone {result.solver_seconds:.2f} s); goal < {GOAL_SECONDS:.0f} s: {verdict}"
    )
    loads = result.loads.values()
    print(f"  loads {min(loads)}..{max(loads)}, {len(result.pairs)} pairs")

    # Rerun after the first juror leaves: only that juror's pairs may move.
    leaving = problem.jurors[0]
    rerun_problem = dataclasses.replace(problem, jurors=problem.jurors[1:], current=result.pairs)
    started = time.perf_counter()
    rerun = assign_reviewers(rerun_problem)
    rerun_total = time.perf_counter() - started
    rerun_errors = verify(rerun_problem, rerun)
    if any(juror != leaving for juror, _ in rerun.dropped):
        rerun_errors.append("the rerun moved pairs of jurors who stayed")
    print(
        f"  rerun after one juror leaves: total {rerun_total:.2f} s "
        f"(solver alone {rerun.solver_seconds:.2f} s), {len(rerun.dropped)} pairs moved"
    )
    errors += [f"rerun: {error}" for error in rerun_errors]
    for error in errors:
        print(f"  verification failed: {error}")
    ok = verdict == "OK" and rerun_total < GOAL_SECONDS and not errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
