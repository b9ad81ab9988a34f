"""Site selection: OR-Library optima, brute force on small instances, bounds and options."""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.planning import (
    CoverageMatrix,
    InfeasibleError,
    SelectionStrategy,
    read_orlib_scp,
    select_sites,
)
from whitespot.planning import _bounds as bounds_module
from whitespot.planning import _dominance as dominance_module
from whitespot.planning import select as select_module
from whitespot.planning.select import STAGES
from whitespot.planning.select import _decomposition as decomposition_module
from whitespot.planning.select import _neighbourhood as neighbourhood_module

ORLIB = Path(__file__).parent / "orlib"


@pytest.mark.parametrize(("name", "optimum"), [("scp41", 429), ("scpa1", 253), ("scpb1", 69)])
def test_orlib_set_cover_reaches_published_optimum(name, optimum):
    # Beasley's OR-Library; optima published with the instances (tests/planning/orlib/README.md)
    cover, cost = read_orlib_scp(ORLIB / f"{name}.txt")
    matrix = CoverageMatrix.from_cover(cover, np.ones(cover.shape[1]), cost)
    result = select_sites(matrix, cover_all=True, method="exact", time_limit_s=120)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(optimum)
    assert result.bound == pytest.approx(optimum) and result.gap == pytest.approx(0, abs=1e-9)
    assert result.covered == matrix.coverable


def test_orlib_reader_shape_and_costs():
    cover, cost = read_orlib_scp(ORLIB / "scp41.txt")
    assert cover.shape == (1000, 200) and len(cost) == 1000
    assert (np.asarray(cover.sum(axis=0)).ravel() > 0).all()


BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def random_instance(seed, n_sites=7, n_demand=12, density=0.3):
    rng = np.random.default_rng(seed)
    cover = rng.random((n_sites, n_demand)) < density
    weight = rng.integers(1, 50, n_demand).astype(float)
    cost = rng.integers(1, 9, n_sites).astype(float)
    return CoverageMatrix.from_cover(csr_matrix(cover), weight, cost), cover, weight, cost


def objective(kind, sites, budget):
    """(sites, budget, cover_all) for one kind of problem, as ``_problem`` takes them."""
    return {
        "sites": (sites, None, False),
        "budget": (None, budget, False),
        "cover_all": (None, None, True),
    }[kind]


def goal(kind, sites, budget):
    """The one keyword of ``select_sites`` (and ``brute_force``) for one kind of problem."""
    return {"sites": {"sites": sites}, "budget": {"budget": budget},
            "cover_all": {"cover_all": True}}[kind]  # fmt: skip


def brute_force(cover, weight, cost, *, sites=None, budget=None, cover_all=False):
    n = cover.shape[0]
    coverable = cover.any(axis=0)
    best = None
    for r in range(n + 1):
        for combination in itertools.combinations(range(n), r):
            subset = list(combination)
            hit = cover[subset].any(axis=0) if subset else np.zeros(cover.shape[1], bool)
            value, spent = weight[hit].sum(), cost[subset].sum()
            if cover_all:
                if (hit >= coverable).all() and (best is None or spent < best):
                    best = spent
            elif (sites is not None and r <= sites) or (budget is not None and spent <= budget):
                best = value if best is None else max(best, value)
    return best


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["sites", "budget", "cover_all"]))
def test_exact_equals_brute_force_and_greedy_is_bounded(seed, kind):
    matrix, cover, weight, cost = random_instance(seed)
    limit = {"sites": {"sites": 2}, "budget": {"budget": 7.0}, "cover_all": {"cover_all": True}}[
        kind
    ]
    optimum = brute_force(cover, weight, cost, **limit)
    exact = select_sites(matrix, method="exact", **limit)
    greedy = select_sites(matrix, method="greedy", **limit)
    assert exact.objective == pytest.approx(optimum)
    if kind == "cover_all":
        assert greedy.objective >= optimum - 1e-9  # greedy never below the least cost
        assert greedy.bound <= optimum + 1e-6  # the lower bound is a lower bound
        assert greedy.covered == pytest.approx(matrix.coverable)
    else:
        assert greedy.objective <= optimum + 1e-9  # greedy never above the optimum
        assert greedy.bound >= optimum - 1e-6  # every reported bound is at least the optimum
        assert exact.bound >= optimum - 1e-6
    auto = select_sites(matrix, method="auto", **limit)
    assert auto.objective == pytest.approx(optimum)


def test_merging_identical_demand_keeps_the_optimum():
    rng = np.random.default_rng(5)
    site = rng.integers(0, 6, 300)
    point = rng.integers(0, 120, 300)
    weight = rng.integers(1, 5, 120).astype(float)
    merged = CoverageMatrix.from_pairs(site, point, weight, np.array([f"S{i}" for i in range(6)]))
    dense = np.zeros((6, 120), dtype=bool)
    dense[site, point] = True
    plain = CoverageMatrix.from_cover(csr_matrix(dense), weight)
    assert merged.n_groups < plain.n_groups
    assert merged.coverable == plain.coverable
    for p in (1, 2, 3):
        a = select_sites(merged, sites=p, method="exact").objective
        b = select_sites(plain, sites=p, method="exact").objective
        assert a == pytest.approx(b)
    assert merged.unreachable == pytest.approx(weight[~dense.any(axis=0)].sum())


def test_selection_order_and_marginal_gains():
    cover = csr_matrix(np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1]], dtype=bool))
    matrix = CoverageMatrix.from_cover(cover, np.array([5.0, 5, 5, 20, 1]))
    result = select_sites(matrix, sites=3, method="exact")
    assert result.site_ids == ("S2", "S1", "S3")  # 25 (S2: 5 + 20), then 10 more, then 1
    assert result.marginal.tolist() == [25.0, 10.0, 1.0]
    assert result.covered == 36.0 and result.objective == 36.0


def test_forced_and_forbidden_sites():
    matrix = random_instance(11)[0]
    free = select_sites(matrix, sites=2, method="exact")
    forbidden = select_sites(matrix, sites=2, method="exact", forbidden=[free.site_ids[0]])
    assert free.site_ids[0] not in forbidden.site_ids
    forced = select_sites(matrix, sites=2, method="exact", forced=["S7"])
    assert "S7" in forced.site_ids
    with pytest.raises(InfeasibleError, match="forced sites exceed sites=1"):
        select_sites(matrix, sites=1, forced=["S1", "S2"])
    with pytest.raises(ValueError, match="not among the candidates: X9"):
        select_sites(matrix, sites=1, forced=["X9"])
    with pytest.raises(ValueError, match="both forced and forbidden"):
        select_sites(matrix, sites=2, forced=["S1"], forbidden=["S1"])


def test_argument_checks():
    matrix = random_instance(1)[0]
    with pytest.raises(ValueError, match="exactly one of"):
        select_sites(matrix, sites=2, budget=3.0)
    with pytest.raises(ValueError, match="method='best'"):
        select_sites(matrix, sites=2, method="best")


def test_budget_respected_and_reported():
    matrix = random_instance(3, n_sites=10, n_demand=30)[0]
    result = select_sites(matrix, budget=10.0, method="auto")
    assert result.cost <= 10.0
    assert result.gap >= 0 and result.bound >= result.objective - 1e-9


def test_time_limit_reports_a_gap():
    # a 1,000 x 8,000 random MCLP instance that HiGHS cannot close in 1 s
    rng = np.random.default_rng(0)
    cover = csr_matrix(rng.random((1000, 8000)) < 0.004)
    matrix = CoverageMatrix.from_cover(cover, rng.integers(1, 200, 8000).astype(float))
    result = select_sites(matrix, sites=40, method="exact", time_limit_s=1.0)
    assert result.status in ("time_limit", "optimal")
    assert result.bound >= result.objective
    assert np.isfinite(result.gap)


def test_swap_search_repairs_a_greedy_trap():
    # X covers B and C (12); Y covers A and B (11); Z covers C and D (11). Greedy with two
    # sites takes X and then 5 more (17); the optimum is Y + Z (22), one swap away.
    cover = csr_matrix(np.array([[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool))
    matrix = CoverageMatrix.from_cover(cover, np.array([5.0, 6.0, 6.0, 5.0]))
    problem = select_module._problem(matrix, 2, None, False, (), ())
    greedy = select_module._greedy(problem)
    assert select_module._value(problem, greedy) == 17.0
    improved = select_module._swap_search(problem, greedy, deadline=float("inf"))
    assert improved.tolist() == [1, 2] and select_module._value(problem, improved) == 22.0
    assert select_sites(matrix, sites=2, method="greedy").objective == 22.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["sites", "budget", "cover_all"]))
def test_lagrangian_alone_on_two_cores_gives_valid_bounds(seed, kind):
    """Without any LP bound, the Lagrangian continues on the second core: still a bound."""
    matrix, cover, weight, cost = random_instance(seed, n_sites=8, n_demand=14)
    optimum = brute_force(cover, weight, cost, **goal(kind, 3, 9.0))
    no_lp = SelectionStrategy(lp_bound_max_nonzeros=-1, pdlp_max_nonzeros=-1)
    result = select_sites(
        matrix, method="greedy", time_limit_s=5.0, strategy=no_lp, **goal(kind, 3, 9.0)
    )
    assert "lagrangian" in result.stages and not {"lp", "pdlp"} & set(result.stages)
    if kind == "cover_all":
        assert result.bound <= optimum + 1e-6 <= result.objective + 2e-6
    else:
        assert result.objective - 1e-9 <= optimum <= result.bound + 1e-6


@pytest.mark.parametrize("kind", ["sites", "budget", "cover_all"])
def test_milp_starts_from_the_incumbent_and_stops_when_asked(kind):
    """Stopped before its first node, HiGHS returns the start it was given (status
    "interrupted") with a bound no tighter than the optimum it proves when not stopped."""
    matrix, *_ = random_instance(5, n_sites=60, n_demand=400, density=0.06)
    problem = select_module._problem(matrix, *objective(kind, 6, 25.0), (), ())
    start = select_module._greedy(problem)
    stop = threading.Event()
    stop.set()
    sites, bound, status = select_module._milp(problem, 30.0, 0.0, start=start, stop=stop)
    assert status == "interrupted"
    assert select_module._value(problem, sites) == select_module._value(problem, start)
    best, optimum, status = select_module._milp(problem, 30.0, 0.0, start=start)
    assert status == "optimal"
    assert optimum == pytest.approx(select_module._value(problem, best))
    assert (bound <= optimum + 1e-6) if problem.minimize else (bound >= optimum - 1e-6)
    assert bound != pytest.approx(optimum)  # it did stop before proving


def race_lp(
    strategy: SelectionStrategy | None = None, solve=select_module._lp_dual_bound
) -> tuple[float, float, threading.Event]:
    """Race the LP of a small instance under `strategy`, solving it with `solve`; return its
    bound, the LP optimum and the event that says it is solved."""
    matrix, *_ = random_instance(4, n_sites=60, n_demand=600, density=0.05)
    problem = select_module._problem(matrix, 5, None, False, (), (), strategy)
    _, optimum, _ = select_module._milp(problem, 30.0, 0.0, relax=True)
    with ThreadPoolExecutor(max_workers=1) as second_core:
        relaxation, solved = select_module._relaxation(
            problem, second_core, time.perf_counter() + 30, solve
        )
        return relaxation().bound, optimum, solved


@pytest.mark.parametrize("race_up_to", [0, 10**9], ids=["interior point alone", "race"])
def test_raced_lp_gives_the_lp_optimum_and_says_it_is_solved(race_up_to):
    bound, optimum, solved = race_lp(SelectionStrategy(lp_race_max_nonzeros=race_up_to))
    assert bound == pytest.approx(optimum, rel=1e-7)
    assert solved.wait(5.0)


def test_a_failed_interior_point_does_not_stop_the_racing_simplex():
    solve = select_module._lp_dual_bound

    def failing_interior_point(problem, limit, solver, stop=None):
        if solver == "ipx":
            return bounds_module._Relaxation(np.inf, None, None)
        return solve(problem, limit, solver, stop)

    bound, optimum, solved = race_lp(solve=failing_interior_point)
    assert bound == pytest.approx(optimum, rel=1e-7)
    assert solved.is_set()


@pytest.mark.parametrize("solver", ["ipx", "simplex"])
def test_lp_stopped_before_it_finishes_gives_only_the_trivial_bound(solver):
    """The LP that loses the race is stopped: no duals, no values, a bound that proves
    nothing (so nothing is fixed from it)."""
    matrix, *_ = random_instance(3, n_sites=300, n_demand=3000, density=0.02)
    problem = select_module._problem(matrix, 10, None, False, (), ())
    stop = threading.Event()
    stop.set()
    lp = select_module._lp_dual_bound(problem, 30.0, solver, stop)
    assert lp.bound == np.inf and lp.multiplier is None and lp.x is None
    assert select_module._lp_dual_bound(problem, 30.0, solver).x is not None


@pytest.mark.parametrize("solver", ["ipx", "simplex", "pdlp"])
@pytest.mark.parametrize("kind", ["sites", "budget", "cover_all"])
def test_lp_dual_bound_is_the_lp_optimum(kind, solver):
    """The bound evaluated at the LP's duals equals the LP optimum, by any method (PDLP to
    its optimality tolerance)."""
    matrix, *_ = random_instance(7, n_sites=30, n_demand=200, density=0.1)
    problem = select_module._problem(matrix, *objective(kind, 5, 12.0), (), ())
    _, relaxation, status = select_module._milp(problem, 30.0, 0.0, relax=True)
    assert status == "optimal"
    lp = select_module._lp_dual_bound(problem, 30.0, solver)
    bound, multiplier = lp.bound, lp.multiplier
    assert multiplier is not None and lp.x is not None
    assert bound == pytest.approx(relaxation, rel=1e-5 if solver == "pdlp" else 1e-7)
    optimum = select_sites(matrix, method="exact", **goal(kind, 5, 12.0))
    if problem.minimize:
        assert relaxation <= optimum.objective + 1e-6
    else:
        assert relaxation >= optimum.objective - 1e-6


@pytest.mark.parametrize("kind", ["sites", "budget", "cover_all"])
def test_pdlp_stopped_at_its_time_limit_still_proves_a_bound(kind):
    """PDLP's iterate at its time limit gives duals, and the bound evaluated at them lies on
    the right side of the LP optimum; it gives no values (the iterate solves nothing)."""
    # 50,000 entries: PDLP is 1e-4 from the optimum after 0.01 s, its tolerance is 1e-7
    matrix, *_ = random_instance(11, n_sites=1000, n_demand=10_000, density=0.005)
    problem = select_module._problem(matrix, *objective(kind, 10, 40.0), (), ())
    relaxation = select_module._lp_dual_bound(problem, 60.0, "ipx").bound
    early = select_module._lp_dual_bound(problem, 0.01, "pdlp")
    assert early.x is None and early.multiplier is not None and np.isfinite(early.bound)
    if problem.minimize:
        assert early.bound <= relaxation + 1e-6
    else:
        assert early.bound >= relaxation - 1e-6


@pytest.mark.parametrize("kind", ["cover_all", "budget", "sites"])
def test_large_set_covers_and_budgets_take_their_bound_from_pdlp(kind):
    """Beyond LP_BOUND_MAX_NONZEROS (and up to PDLP_MAX_NONZEROS) set covering and budgets
    take their bound from PDLP, which here reaches the LP optimum; maximal covering by
    count, and any problem beyond both, from subgradient steps."""
    matrix, cover, weight, cost = random_instance(6, n_sites=12, n_demand=30, density=0.25)
    sites, budget = 3, 9.0
    limit = goal(kind, sites, budget)
    optimum = brute_force(cover, weight, cost, **limit)
    problem = select_module._problem(matrix, *objective(kind, sites, budget), (), ())
    relaxation = select_module._lp_dual_bound(problem, 30.0, "ipx").bound
    for pdlp_up_to in (10**9, -1):
        strategy = SelectionStrategy(lp_bound_max_nonzeros=-1, pdlp_max_nonzeros=pdlp_up_to)
        result = select_sites(matrix, method="greedy", time_limit_s=5, strategy=strategy, **limit)
        if kind == "cover_all":
            assert result.bound <= optimum + 1e-6 <= result.objective + 2e-6
        else:
            assert result.objective - 1e-9 <= optimum <= result.bound + 1e-6
        by_pdlp = pdlp_up_to > 0 and kind != "sites"
        assert ("pdlp" in result.stages) == by_pdlp and "lp" not in result.stages
        if by_pdlp:
            assert result.bound == pytest.approx(relaxation, rel=1e-5)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10_000), by_count=st.booleans())
def test_compiled_dominance_is_the_overlap_rule(seed, by_count):
    """Site j is dominated when an allowed k covers all it covers at no greater cost,
    ties to the larger site, then the first: checked against the site-by-site overlap."""
    rng = np.random.default_rng(seed)
    n_sites, n_groups = int(rng.integers(1, 25)), int(rng.integers(1, 15))
    dense = rng.random((n_sites, n_groups)) < rng.uniform(0.05, 0.9)
    dense = dense[rng.integers(0, n_sites, n_sites)]  # identical sites too
    cover = csr_matrix(dense.astype(float))
    cost = rng.integers(1, 4, n_sites).astype(float)
    allowed = rng.random(n_sites) < 0.8
    expected = np.zeros(n_sites, dtype=bool)
    for j, k in itertools.permutations(range(n_sites), 2):
        if not allowed[k] or not dense[j].any() or (dense[j] & ~dense[k]).any():
            continue
        if by_count or cost[k] == cost[j]:
            expected[j] |= dense[k].sum() > dense[j].sum() or k < j
        else:
            expected[j] |= cost[k] < cost[j]
    got = dominance_module.dominated_sites(cover, cost, allowed, by_count=by_count)
    assert got.tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_redundant_groups_are_those_holding_another_groups_sites(seed):
    """Group g is redundant when another group's sites are all among g's (of identical
    groups all but the first): checked pair by pair."""
    rng = np.random.default_rng(seed)
    n_sites, n_groups = int(rng.integers(1, 15)), int(rng.integers(1, 25))
    dense = rng.random((n_groups, n_sites)) < rng.uniform(0.05, 0.9)
    dense = dense[rng.integers(0, n_groups, n_groups)]  # identical groups too
    expected = np.zeros(n_groups, dtype=bool)
    for g, h in itertools.permutations(range(n_groups), 2):
        if dense[h].any() and not (dense[h] & ~dense[g]).any():
            expected[g] |= dense[h].sum() < dense[g].sum() or h < g
    got = dominance_module.redundant_groups(csr_matrix(dense.T.astype(float)))
    assert got.tolist() == expected.tolist()


def test_swap_search_ends_where_no_single_exchange_improves():
    matrix, *_ = random_instance(11, n_sites=12, n_demand=40, density=0.2)
    problem = select_module._problem(matrix, 4, None, False, (), ())
    start = np.array([0, 1, 2, 3])
    local = select_module._swap_search(problem, start, deadline=float("inf"))
    value = select_module._covered(problem, local)
    assert value >= select_module._covered(problem, start)
    for out in local:
        for entering in set(range(12)) - set(local):
            swapped = np.append(local[local != out], entering)
            assert select_module._covered(problem, swapped) <= value + 1e-9


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_budget_swap_search_stays_within_budget_and_ends_at_a_local_optimum(seed):
    """Under a budget, no exchange or added site that the budget pays for improves."""
    matrix, _, _, cost = random_instance(seed, n_sites=12, n_demand=40, density=0.2)
    budget = 9.0
    problem = select_module._problem(matrix, None, budget, False, (), ())
    start = select_module._greedy(problem)
    local = select_module._swap_search(problem, start, deadline=float("inf"))
    value = select_module._covered(problem, local)
    assert cost[local].sum() <= budget + 1e-9
    assert value >= select_module._covered(problem, start)
    outside = sorted(set(range(12)) - set(local))
    moves = [np.append(local, j) for j in outside]
    moves += [np.append(local[local != k], j) for k in local for j in outside]
    for move in moves:
        if cost[move].sum() <= budget + 1e-9:
            assert select_module._covered(problem, move) <= value + 1e-9


def test_budget_fixing_with_no_site_worth_anything():
    """Multipliers that price every group at zero leave no site for the budget to cut:
    the budget's price is zero and the bound is the demand left uncovered (no crash)."""
    matrix, *_ = random_instance(3, n_sites=8, n_demand=14, density=0.3)
    problem = select_module._problem(matrix, None, 9.0, False, (), ())
    zero = np.zeros(len(problem.weight))
    bound, reduced = bounds_module._budget_fixing(problem, zero, bounds_module._open_sites(problem))
    assert bound == pytest.approx(problem.weight.sum())
    assert not reduced.any()
    out, fixed_in = select_module._fixed_by_reduced_cost(problem, zero, 0.0)
    assert not out.any() and not fixed_in.any()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_lp_guided_set_cover_is_a_cover_no_worse_than_the_incumbent(seed):
    """LP rounding and the MILP over the LP's support give a cover of every coverable
    group, never dearer than the incumbent, and never cheaper than the optimum."""
    matrix, cover, weight, cost = random_instance(seed, n_sites=9, n_demand=16, density=0.3)
    problem = select_module._problem(matrix, None, None, True, (), ())
    incumbent = select_module._drop_redundant(problem, select_module._greedy(problem))
    x = select_module._lp_dual_bound(problem, 30.0).x
    guided = select_module._lp_guided(problem, incumbent, x, deadline=float("inf"))
    assert (problem.cover[guided].sum(axis=0) > 0).all()
    assert select_module._value(problem, guided) <= select_module._value(problem, incumbent)
    optimum = brute_force(cover, weight, cost, cover_all=True)
    assert select_module._value(problem, guided) >= optimum - 1e-9


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["sites", "budget", "cover_all"]))
def test_reduced_cost_fixing_never_cuts_off_a_better_solution(seed, kind):
    """Brute force over every subset: each one better than the incumbent builds every site
    fixed in and none fixed out, at the LP duals and at arbitrary multipliers."""
    matrix, *_ = random_instance(seed, n_sites=8, n_demand=14, density=0.3)
    sites = 3 if kind == "sites" else None
    budget = 9.0 if kind == "budget" else None
    problem = select_module._problem(matrix, sites, budget, kind == "cover_all", (), ())
    incumbent_sites = select_module._greedy(problem)
    incumbent = select_module._value(problem, incumbent_sites)
    rng = np.random.default_rng(seed)
    ceiling = problem.cost.max() if problem.minimize else problem.weight
    multipliers = [
        rng.uniform(0, 1, len(problem.weight)) * ceiling,
        select_module._lp_dual_bound(problem, 30.0).multiplier,
    ]
    cover = problem.cover.toarray() > 0
    for multiplier in multipliers:
        out, fixed_in = select_module._fixed_by_reduced_cost(problem, multiplier, incumbent)
        for r in range(len(out) + 1):
            for subset in map(list, itertools.combinations(range(len(out)), r)):
                hit = cover[subset].any(axis=0) if subset else np.zeros(cover.shape[1], bool)
                if problem.minimize:
                    better = hit.all() and problem.cost[subset].sum() < incumbent - 1e-9
                else:
                    affordable = r <= sites if sites else problem.cost[subset].sum() <= budget
                    better = affordable and problem.weight[hit].sum() > incumbent + 1e-9
                if better:
                    assert not out[subset].any(), (subset, np.flatnonzero(out))
                    assert set(np.flatnonzero(fixed_in)) <= set(subset)


def test_auto_proves_a_family_b_instance_by_fixing():
    """Towns of Pareto sizes with rural background (benchmarks/bench_select.py, family B):
    greedy and kernel search find the optimum, the LP bound alone leaves a gap, fixing by
    reduced costs closes it, and the exact MILP agrees."""
    spec = importlib.util.spec_from_file_location("bench_select", BENCHMARKS / "bench_select.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    demand, households, sites = bench.instance(3_000, 300, seed=2, family="B")
    pairs = cKDTree(sites).sparse_distance_matrix(
        cKDTree(demand), bench.RADIUS_M, output_type="ndarray"
    )
    site_ids = np.array([f"S{j}" for j in range(len(sites))])
    matrix = CoverageMatrix.from_pairs(pairs["i"], pairs["j"], households, site_ids)
    auto = select_sites(matrix, sites=15, method="auto")
    exact = select_sites(matrix, sites=15, method="exact")
    assert auto.method == "greedy+fixing"
    assert auto.status == "optimal" and exact.status == "optimal"
    assert auto.objective == pytest.approx(exact.objective)
    assert auto.bound == pytest.approx(exact.objective)


def test_a_forbidden_site_dominates_nothing_and_a_forced_one_stays():
    cover = np.array(
        [
            [1, 1, 0, 0],  # S1 within S2
            [1, 1, 1, 0],  # S2, forbidden below
            [0, 0, 0, 1],  # S3 within S4, forced below
            [0, 0, 1, 1],  # S4
        ],
        dtype=bool,
    )
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), np.array([5.0, 5.0, 5.0, 5.0]))
    result = select_sites(matrix, sites=2, forbidden=["S2"], forced=["S3"], method="auto")
    assert set(result.site_ids) == {"S1", "S3"}
    assert result.covered == 15.0 and result.status == "optimal"
    problem = select_module._problem(matrix, 2, None, False, (), ())
    reduced, kept = select_module._without_dominated(problem)
    assert kept.tolist() == [1, 3]  # S1 and S3 dominated when nothing is forbidden or forced
    assert select_module._value(reduced, np.arange(2)) == 20.0


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["sites", "budget", "cover_all"]))
def test_dropping_dominated_sites_keeps_the_optimum(seed, kind):
    """Nested and repeated coverage (many dominated sites): the answer equals brute force."""
    rng = np.random.default_rng(seed)
    base = rng.random((4, 10)) < 0.35
    nested = base[rng.integers(0, 4, 5)] & (rng.random((5, 10)) < 0.8)
    cover = np.vstack([base, nested])
    weight = rng.integers(1, 50, 10).astype(float)
    cost = rng.integers(1, 5, 9).astype(float)
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), weight, cost)
    options = {"sites": 2} if kind == "sites" else {"budget": 5.0} if kind == "budget" else {}
    result = select_sites(matrix, cover_all=kind == "cover_all", method="exact", **options)
    optimum = brute_force(cover, weight, cost, cover_all=kind == "cover_all", **options)
    assert result.objective == pytest.approx(optimum)


def test_site_selection_prints_nothing_of_its_own():
    """HiGHS's banner (printed on C stdout by its first instance) stays out of the output."""
    script = (
        "import numpy as np\n"
        "from scipy.sparse import csr_matrix\n"
        "from whitespot.planning import CoverageMatrix, select_sites\n"
        "m = CoverageMatrix.from_cover(csr_matrix(np.eye(3, dtype=bool)), np.ones(3))\n"
        "print(select_sites(m, sites=2, method='exact').status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "optimal\n"
    assert "HiGHS" not in done.stderr


def best_with_site_0(cover, weight, cost, limit):
    """Brute force over the solutions that build site 0: (best value, is it feasible)."""
    n_sites = cover.shape[0]
    values = []
    for r in range(n_sites):
        for others in itertools.combinations(range(1, n_sites), r):
            subset = [0, *others]
            hit = cover[subset].any(axis=0)
            if "cover_all" in limit and (hit >= cover.any(axis=0)).all():
                values.append(-cost[subset].sum())
            elif len(subset) <= limit.get("sites", -1) or cost[subset].sum() <= limit.get(
                "budget", -1
            ):
                values.append(weight[hit].sum())
    return max(values)


def is_feasible(chosen, cover, cost, limit):
    if "cover_all" in limit:
        return (cover[chosen].any(axis=0) >= cover.any(axis=0)).all()
    if "sites" in limit:
        return len(chosen) <= limit["sites"]
    return cost[chosen].sum() <= limit["budget"] + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    whole=st.booleans(),
    kind=st.sampled_from(["sites", "budget", "cover_all"]),
)
def test_neighbourhood_search_stays_feasible_and_with_every_site_free_reaches_the_optimum(
    seed, whole, kind
):
    """Small neighbourhoods give a feasible solution holding the forced site, never worse
    than the start; neighbourhoods as large as the problem solve it to the optimum."""
    matrix, cover, weight, cost = random_instance(seed, n_sites=10, n_demand=18, density=0.3)
    limit = goal(kind, 3, 12.0)
    sizes = SelectionStrategy(neighbourhood_sites=(10,) if whole else (2, 4))
    problem = select_module._problem(
        matrix, *objective(kind, 3, 12.0), [matrix.site_ids[0]], (), sizes
    )
    start = select_module._greedy(problem)
    if problem.minimize:
        start = select_module._drop_redundant(problem, start)
    found = select_module._neighbourhood_search(problem, start, float("inf"))
    assert is_feasible(found, cover, cost, limit) and 0 in found
    sign = -1.0 if problem.minimize else 1.0  # larger is better
    value, started = (sign * select_module._value(problem, s) for s in (found, start))
    optimum = best_with_site_0(cover, weight, cost, limit)
    assert started - 1e-9 <= value <= optimum + 1e-9
    if whole:
        assert value == pytest.approx(optimum)


@pytest.mark.parametrize(
    ("kind", "with_lp"), [("cover_all", True), ("cover_all", False), ("sites", True)]
)
def test_large_problems_go_to_neighbourhood_search_and_stay_exact(kind, with_lp):
    """Above COVER_EXACT_MAX_NONZEROS set covering takes neighbourhood search instead of
    the whole MILP, from LP rounding or, beyond the LP, without it; above
    AUTO_EXACT_MAX_NONZEROS maximal covering by count takes it after the LP."""
    matrix, cover, weight, cost = random_instance(6, n_sites=12, n_demand=30, density=0.25)
    # set covering: optimum 34, LP 33.5, greedy 37; 3 sites: 610, LP 612.3, swaps 569
    limit = {"cover_all": True} if kind == "cover_all" else {"sites": 3}
    optimum = brute_force(cover, weight, cost, **limit)
    strategy = SelectionStrategy(
        cover_exact_max_nonzeros=0,
        auto_exact_max_nonzeros=0,
        lp_bound_max_nonzeros=10**9 if with_lp else -1,
    )
    result = select_sites(matrix, method="auto", time_limit_s=10, strategy=strategy, **limit)
    assert "neighbourhood_search" in result.stages
    assert result.method != "greedy+exact" and "milp" not in result.stages  # no whole MILP
    assert result.objective == pytest.approx(optimum)
    assert result.bound <= optimum + 1e-6 if kind == "cover_all" else result.bound >= optimum - 1e-6


def test_restriction_keeps_only_the_demand_left_uncovered():
    """With site 0 built, the groups it covers leave the problem over sites 1 and 2."""
    cover = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=bool)
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), np.array([1.0, 2, 3, 4]), np.ones(3))
    problem = select_module._problem(matrix, None, None, True, (), ())
    left = ~np.asarray(problem.cover[[0]].sum(axis=0)).ravel().astype(bool)
    reduced = select_module._restricted(problem, np.array([1, 2]), np.array([], int), left)
    assert sorted(reduced.weight) == [3.0, 4.0]  # not group 1 (weight 2): site 0 covers it
    assert select_sites(
        CoverageMatrix.from_cover(reduced.cover, reduced.weight), cover_all=True
    ).objective == pytest.approx(1.0)  # site 2 alone covers what is left


def test_a_neighbourhood_is_the_sites_nearest_by_shared_demand():
    """Sites on a line, each sharing one group with the next: the 3 nearest site 2 are
    sites 1-3; 4 take one more on the side sharing more groups (site 0 shares two with 1),
    and a forbidden site is never freed."""
    cover = np.zeros((6, 6), dtype=bool)
    for j in range(5):
        cover[j, j] = cover[j + 1, j] = True  # group j: sites j and j + 1
    cover[0, 5] = cover[1, 5] = True  # group 5: sites 0 and 1 as well
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), np.ones(6))
    nearest = neighbourhood_module._nearest_sites
    problem = select_module._problem(matrix, None, None, True, (), ())
    by_group = problem.cover.T.tocsr()
    assert nearest(problem, by_group, 2, 3).tolist() == [1, 2, 3]
    assert nearest(problem, by_group, 2, 4).tolist() == [0, 1, 2, 3]
    problem = select_module._problem(matrix, None, None, True, (), [matrix.site_ids[4]])
    assert nearest(problem, by_group, 3, 6).tolist() == [0, 1, 2, 3]  # 4 forbidden, 5 beyond


def test_a_selection_says_which_stages_ran_in_their_order():
    matrix, cover, weight, cost = random_instance(3, n_sites=12, n_demand=30, density=0.25)
    auto = select_sites(matrix, sites=3, method="auto", time_limit_s=10)
    assert set(auto.stages) <= set(STAGES)
    assert list(auto.stages) == sorted(auto.stages, key=STAGES.index)
    assert {"dominance", "greedy", "lp", "lagrangian", "local_search"} <= set(auto.stages)
    assert auto.objective == pytest.approx(brute_force(cover, weight, cost, sites=3))
    exact = select_sites(matrix, sites=3, method="exact")
    assert exact.stages == ("dominance", "milp")


@pytest.mark.parametrize(
    "wrong",
    [
        {"fix_first_max_share": 0.0},
        {"lagrangian_deflection": 1.0},
        {"kernel_factors": ()},
        {"neighbourhood_sites": (100, -5)},
        {"lp_race_max_nonzeros": -2},
        {"neighbourhood_seconds": 0.0},
        {"milp_presolve": "yes"},
    ],
)
def test_a_strategy_that_cannot_steer_is_refused_naming_the_field(wrong):
    with pytest.raises(InputError, match=next(iter(wrong))):
        SelectionStrategy(**wrong)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["sites", "budget"]),
    regions=st.integers(1, 4),
)
def test_decomposition_by_regions_bounds_the_optimum_and_never_exceeds_the_lp(seed, kind, regions):
    """Brute force over every subset: the bound of the Lagrangian decomposition is at least
    the optimum at the LP's duals and at arbitrary multipliers and prices, and at the LP's
    duals with the knapsack's price at most the LP optimum; with a forced and a forbidden
    site too."""
    matrix, _, _, cost = random_instance(seed, n_sites=9, n_demand=24, density=0.25)
    sites, budget = (3, None) if kind == "sites" else (None, 12.0)
    rng = np.random.default_rng(seed)
    forced, forbidden = ([], []) if seed % 2 else ([matrix.site_ids[0]], [matrix.site_ids[1]])
    problem = select_module._problem(matrix, sites, budget, False, forced, forbidden)
    allowed = np.flatnonzero(problem.allowed)
    usable, weight = problem.cover.toarray() > 0, problem.weight
    usable[~problem.allowed] = False
    optimum = -np.inf
    for r in range(len(allowed) + 1):
        for subset in map(list, itertools.combinations(allowed, r)):
            if not set(problem.forced) <= set(subset):
                continue
            if (sites is not None and r > sites) or (budget and cost[subset].sum() > budget):
                continue
            hit = usable[subset].any(axis=0) if subset else np.zeros(len(weight), bool)
            optimum = max(optimum, weight[hit].sum())
    relaxation = select_module._lp_dual_bound(problem, 30.0, "simplex")
    score = problem.cover @ relaxation.multiplier
    price = bounds_module._knapsack_price(problem, score, bounds_module._open_sites(problem))
    region = decomposition_module._regions(problem, regions)
    assert set(region[problem.allowed]) <= set(range(regions))
    assert (region[~problem.allowed] == -1).all()
    at_lp = decomposition_module._decomposed_bound(
        problem, relaxation.multiplier, price, region, time.perf_counter() + 10.0
    )
    assert optimum - 1e-6 <= at_lp <= relaxation.bound + 1e-6
    anywhere = decomposition_module._decomposed_bound(
        problem, rng.uniform(0, 1, len(weight)) * problem.weight, rng.uniform(0, 40), region,
        time.perf_counter() + 10.0,
    )  # fmt: skip
    assert anywhere >= optimum - 1e-6


@pytest.mark.parametrize(("seed", "kind"), [(80, "sites"), (20, "sites"), (20, "budget")])
def test_decomposition_proves_a_bound_below_the_lp_where_regions_have_a_gap(seed, kind):
    """Instances whose LP bound is above the optimum: greedy's bound with the decomposition
    by two regions is tighter than without it, and still at least the optimum.

    The LP's duals come from whichever of dual simplex and interior point finishes first,
    and a degenerate LP has several; these instances tighten at the duals of either.
    """
    matrix, cover, weight, cost = random_instance(seed, n_sites=10, n_demand=30, density=0.25)
    limit = {"sites": {"sites": 3}, "budget": {"budget": 12.0}}[kind]
    optimum = brute_force(cover, weight, cost, **limit)
    without = select_sites(matrix, **limit, method="greedy",
                           strategy=SelectionStrategy(decomposition_regions=-1))  # fmt: skip
    decomposed = select_sites(matrix, **limit, method="greedy",
                              strategy=SelectionStrategy(decomposition_regions=2))  # fmt: skip
    assert "decomposition" in decomposed.stages and "decomposition" not in without.stages
    assert without.objective == decomposed.objective == pytest.approx(optimum)
    assert optimum - 1e-6 <= decomposed.bound < without.bound - 1.0


def test_regions_follow_the_demand_sites_share():
    """Two clusters of sites that share demand only within each: bisection splits them
    apart, and a part that is not connected is split along its pieces first."""
    cover = np.zeros((8, 12), dtype=bool)
    for j in range(4):
        cover[j, [j, j + 1, 5]] = True  # sites 0-3 share demand groups 0-5
        cover[j + 4, [j + 6, j + 7, 11]] = True  # sites 4-7 share groups 6-11
    cover[0, 6] = True  # a little demand shared across
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), np.full(12, 10.0))
    problem = select_module._problem(matrix, 2, None, False, (), ())
    region = decomposition_module._regions(problem, 2)
    assert len(set(region[:4])) == 1 and len(set(region[4:])) == 1
    assert region[0] != region[4]
    cover[0, 6] = False
    matrix = CoverageMatrix.from_cover(csr_matrix(cover), np.full(12, 10.0))
    problem = select_module._problem(matrix, 2, None, False, (), ())
    region = decomposition_module._regions(problem, 2)
    assert len(set(region[:4])) == 1 and region[0] != region[4]
