"""Site selection: which candidate sites to build, with a proven bound on the optimum.

Three problems over a :class:`~whitespot.planning.matrix.CoverageMatrix`, each one
:class:`~whitespot.planning.objective.Objective`:

- maximal covering (MCLP, Church & ReVelle 1974, ``Objective.sites(n)``): most demand
  covered by ``n`` sites;
- budgeted maximal covering (``Objective.budget(amount)``): most demand covered for a
  budget (site costs);
- set covering (Toregas et al. 1971, ``Objective.cover_all()``): least cost (fewest sites
  with unit costs) covering all coverable demand; demand no candidate reaches is reported,
  not a failure.

Methods: ``"exact"`` solves the MILP with HiGHS (its own interface, highspy: started from
the incumbent) within a time limit; ``"greedy"`` is lazy greedy (CELF; for budgets the
better of the cost-ratio greedy and the best single site, Khuller et al. 1999) with an
upper bound from Lagrangian relaxation (subgradient); ``"auto"`` runs greedy, stops when
its proven gap is within tolerance, and otherwise spends the time limit on the exact
solver. Every result carries its objective, the bound proved and the relative gap between
them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from whitespot._errors import InputError
from whitespot.planning._bounds import (
    _first_order_bound,
    _fixed_by_reduced_cost,
    _lagrangian,
    _lp_dual_bound,
    _Relaxation,
    _site_ranking,
)
from whitespot.planning._decomposition import _bound_by_regions
from whitespot.planning._exact import (
    _kernel_solution,
    _lp_guided,
    _lp_rounded,
    _milp,
    _restricted,
    _within,
    _without_dominated,
)
from whitespot.planning._local_search import (
    _drop_redundant,
    _greedy,
    _selection_order,
    _swap_search,
)
from whitespot.planning._neighbourhood import _neighbourhood_search
from whitespot.planning._problem import (
    _better,
    _covered,
    _gap,
    _nothing_to_choose,
    _Problem,
    _problem,
    _tighter,
    _value,
)
from whitespot.planning.matrix import CoverageMatrix
from whitespot.planning.objective import Objective
from whitespot.planning.strategy import SelectionStrategy

METHODS = ("auto", "exact", "greedy")

STAGES = (
    "dominance",
    "greedy",
    "lp",
    "pdlp",
    "lagrangian",
    "local_search",
    "kernel_search",
    "neighbourhood_search",
    "lp_guided_milp",
    "fixing",
    "decomposition",
    "milp",
)
"""The stages a selection may run, in the order :attr:`SiteSelection.stages` lists them."""


@dataclass(frozen=True)
class SiteSelection:
    """Result of :func:`select_sites`.

    Attributes
    ----------
    sites : numpy.ndarray of int
        Chosen sites (positions in the matrix), in selection order: each adds the most
        demand not yet covered by those before it.
    site_ids : tuple of str
        Their ids, same order.
    marginal : numpy.ndarray
        Demand newly covered by each site, in selection order.
    covered : float
        Demand covered by the chosen sites.
    cost : float
        Their total cost.
    objective : float
        ``covered`` for the covering problems, ``cost`` for set covering.
    bound : float
        Proven upper bound on the optimum (covering problems) or lower bound (set covering).
    gap : float
        Relative optimality gap proved, ``|bound - objective| / max(|bound|, tiny)``.
    problem : str
        ``"max_coverage"``, ``"budget"`` or ``"set_cover"``.
    method : str
        How the solution was found (``"exact"``, ``"greedy"``, ``"greedy+exact"``).
    status : str
        ``"optimal"``, ``"time_limit"`` (best found when time ran out) or ``"heuristic"``.
    coverable, unreachable : float
        Demand some candidate covers; demand none covers.
    seconds : float
        Wall time of the selection.
    stages : tuple of str
        The stages that ran, in :data:`STAGES` order (what ``auto`` did to get here).
    """

    sites: np.ndarray
    site_ids: tuple[str, ...]
    marginal: np.ndarray
    covered: float
    cost: float
    objective: float
    bound: float
    gap: float
    problem: str
    method: str
    status: str
    coverable: float
    unreachable: float
    seconds: float
    stages: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line with the objective, bound and gap."""
        what = "cost" if self.problem == "set_cover" else "households covered"
        return (
            f"{self.problem} by {self.method} ({self.status}): {len(self.sites)} sites, "
            f"{what} {self.objective:,.6g}, bound {self.bound:,.6g}, gap {100 * self.gap:.2f}%; "
            f"{self.covered:,.0f} of {self.coverable:,.0f} coverable households covered, "
            f"{self.unreachable:,.0f} out of reach of every candidate"
        )


def select_sites(
    matrix: CoverageMatrix,
    objective: Objective,
    *,
    method: str = "auto",
    time_limit_s: float = 60.0,
    gap_tolerance: float = 1e-4,
    strategy: SelectionStrategy | None = None,
) -> SiteSelection:
    """Choose sites to build for an objective: a number of sites, a budget, or covering all.

    Parameters
    ----------
    matrix : CoverageMatrix
        Candidates x demand (from :func:`whitespot.planning.coverage_matrix`). Existing
        towers count as built: demand is what they leave uncovered.
    objective : Objective
        ``Objective.sites(n)`` (maximal covering), ``Objective.budget(amount)`` (budgeted
        maximal covering, money in the unit of ``matrix.cost``) or ``Objective.cover_all()``
        (least cost covering every coverable household), with the sites forced and
        forbidden.
    method : {"auto", "exact", "greedy"}, default "auto"
    time_limit_s : float, default 60
        Wall time the exact solver may use, s.
    gap_tolerance : float, default 1e-4
        ``auto`` stops once the proven relative gap is within this.
    strategy : SelectionStrategy, optional
        The sizes and shares that switch ``auto``'s stages (and steer ``greedy``'s bound);
        default the measured :class:`SelectionStrategy`.

    Returns
    -------
    SiteSelection

    Raises
    ------
    whitespot.InputError
        For an objective that is not an :class:`Objective`, an unknown method, a time
        limit that is not positive, or forced or forbidden ids that are not candidates.
    InfeasibleError
        If the forced sites alone exceed the number of sites or the budget.
    """
    started = time.perf_counter()
    check_objective(objective, method=method, time_limit_s=time_limit_s)
    whole = _problem(matrix, objective, strategy)
    problem, kept = _without_dominated(whole)  # the same optimum over fewer sites
    run = _Run(problem, started + time_limit_s, gap_tolerance if method == "auto" else None)
    run.ran("dominance")
    status, used = "heuristic", method
    if _nothing_to_choose(problem):
        # no candidate, no demand left, or no site allowed: the forced sites alone are optimal
        run.chosen, status, used = problem.forced, "optimal", "none"
        run.bound = _value(problem, run.chosen)
    elif method in ("greedy", "auto"):
        run.chosen = _greedy(problem)
        run.ran("greedy")
        fixed_status = _improve_and_bound(run)
        used = "greedy"
        if fixed_status is not None:
            status, used = fixed_status, "greedy+fixing"
    if used not in ("none", "greedy+fixing") and (method == "exact" or _whole_milp_pays(run)):
        remaining = max(run.deadline - time.perf_counter(), 1.0)
        start = _within(np.arange(problem.cover.shape[0]), run.chosen, problem.forced)
        exact, exact_bound, status = _milp(problem, remaining, gap_tolerance, start=start)
        run.ran("milp")
        run.offer(exact)
        run.bound = exact_bound if method == "exact" else _tighter(problem, run.bound, exact_bound)
        used = "exact" if method == "exact" else "greedy+exact"
    chosen = kept[run.chosen]
    objective = _value(whole, chosen)
    gap = _gap(whole, objective, run.bound)
    if status == "heuristic" and gap <= gap_tolerance:
        status = "optimal"
    order, marginal = _selection_order(whole, chosen)
    return SiteSelection(
        sites=order,
        site_ids=tuple(str(s) for s in matrix.site_ids[order]),
        marginal=marginal,
        covered=_covered(whole, order),
        cost=float(whole.cost[order].sum()),
        objective=objective,
        bound=float(run.bound),
        gap=gap,
        problem=whole.kind,
        method=used,
        status=status,
        coverable=matrix.coverable,
        unreachable=matrix.unreachable,
        seconds=time.perf_counter() - started,
        stages=tuple(stage for stage in STAGES if stage in run.stages),
    )


def check_objective(objective: Objective, *, method: str, time_limit_s: float) -> None:
    """Refuse a planning objective or solver option that cannot run, before any coverage.

    :func:`select_sites` and :func:`whitespot.planning.plan_sites` both call it first.

    Raises
    ------
    whitespot.InputError
        Naming the parameter and the values it allows.
    """
    if not isinstance(objective, Objective):
        raise InputError(
            f"objective={objective!r} must be an Objective: Objective.sites(n), "
            "Objective.budget(amount) or Objective.cover_all()"
        )
    if method not in METHODS:
        raise InputError(f"method={method!r} must be one of {', '.join(METHODS)}")
    if not (np.isfinite(time_limit_s) and time_limit_s > 0):
        raise InputError(f"time_limit_s={time_limit_s} must be a finite number > 0")


@dataclass
class _Run:
    """One selection under way: the incumbent, the bound proved and the stages that ran.

    Attributes
    ----------
    problem : _Problem
        The problem without dominated sites; its ``strategy`` steers every stage.
    deadline : float
        ``time.perf_counter()`` value at which the selection ends.
    tolerance : float or None
        ``auto``'s gap tolerance; None for ``greedy``, which searches while the gap is
        above 1e-4 and does not fix sites.
    chosen : numpy.ndarray of int
        The best solution so far.
    bound : float
        The best bound proved so far (trivial until one is).
    multiplier : numpy.ndarray or None
        The multipliers that prove `bound`, where known.
    stages : set of str
        The stages that ran (:data:`STAGES`).
    """

    problem: _Problem
    deadline: float
    tolerance: float | None
    chosen: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    bound: float = field(init=False)
    multiplier: np.ndarray | None = None
    stages: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.bound = 0.0 if self.problem.minimize else np.inf

    @property
    def gap(self) -> float:
        """The relative gap between the incumbent and the bound."""
        return _gap(self.problem, _value(self.problem, self.chosen), self.bound)

    @property
    def worth_searching(self) -> bool:
        """Whether the gap is wide enough for the searches to go on."""
        return self.gap > (1e-4 if self.tolerance is None else self.tolerance)

    def left(self, share: float = 1.0) -> float:
        """Return the moment when `share` of the time left has passed (a ``perf_counter`` value)."""
        now = time.perf_counter()
        return now + share * (self.deadline - now)

    def ran(self, stage: str) -> None:
        """Record that `stage` ran."""
        self.stages.add(stage)

    def offer(self, sites: np.ndarray | None) -> None:
        """Keep `sites` if they are better than the incumbent (or there is none yet)."""
        if sites is not None and (
            not len(self.chosen) or _better(self.problem, sites, self.chosen)
        ):
            self.chosen = sites

    def tighten(self, bound: float, multiplier: np.ndarray | None) -> None:
        """Keep the tighter bound, with the multipliers that prove it where known."""
        if multiplier is not None and _tighter(self.problem, self.bound, bound) == bound:
            self.bound, self.multiplier = bound, multiplier
        else:
            self.bound = _tighter(self.problem, self.bound, bound)


@dataclass
class _Bounds:
    """The bounds that run beside the heuristics on the second core.

    Attributes
    ----------
    lp : callable or None
        Waits for the LP relaxation and returns it; None without an LP.
    lp_done : threading.Event
        Set once the LP is solved.
    later : concurrent.futures.Future or None
        PDLP's bound, or the Lagrangian dual going on, where there is no LP.
    first_order : bool
        Whether `later` is PDLP's.
    stop : threading.Event
        Set when the heuristics end, to end the Lagrangian going on.
    regions_done : threading.Event
        Set once the gap is closed, to end the decomposition by regions going on.
    """

    lp: Callable[[], _Relaxation] | None
    lp_done: threading.Event
    later: Future | None
    first_order: bool
    stop: threading.Event = field(default_factory=threading.Event)
    regions_done: threading.Event = field(default_factory=threading.Event)


def _whole_milp_pays(run: _Run) -> bool:
    """Whether ``auto`` gives the whole MILP the time left (small enough, gap left, time)."""
    strategy, problem = run.problem.strategy, run.problem
    largest = (
        strategy.cover_exact_max_nonzeros if problem.minimize else strategy.auto_exact_max_nonzeros
    )
    return (
        run.tolerance is not None
        and run.gap > run.tolerance
        and problem.cover.nnz <= largest
        and run.deadline - time.perf_counter() >= 2.0
    )


def _improve_and_bound(run: _Run) -> str | None:
    """Improve the greedy solution of `run` and prove a bound on the optimum, stage by stage.

    The bounds start on the second core (:func:`_start_bounds`), Lagrangian relaxation
    ranks the sites (:func:`_lagrangian_pass`), the heuristics improve the incumbent
    (:func:`_heuristics`), the bounds are collected (:func:`_collect_bounds`) and, with a
    tolerance (``auto``), sites are fixed by their reduced costs at the best dual and the
    rest is solved exactly (:func:`_prove`). The decomposition by regions started after the
    LP (:func:`_decomposition`) is collected last.

    Returns
    -------
    str or None
        The exact status when fixing solved the problem, else None.
    """
    status = None
    with ThreadPoolExecutor(max_workers=1) as second_core:
        bounds = _start_bounds(run, second_core)
        _lagrangian_pass(run, bounds, second_core)
        _heuristics(run, bounds)
        decomposed = _collect_bounds(run, bounds, second_core)
        if run.tolerance is not None and run.gap > run.tolerance:
            status = _prove(run)
        if decomposed is not None:
            if not run.worth_searching:
                bounds.regions_done.set()  # the regions left take their Lagrangian value
            run.tighten(decomposed.result(), None)
    return status


def _start_bounds(run: _Run, second_core: ThreadPoolExecutor) -> _Bounds:
    """Start the bound that runs beside the heuristics on the second core.

    Up to ``lp_bound_max_nonzeros`` matrix entries the LP relaxation (:func:`_relaxation`);
    beyond, for set covering and budgets up to ``pdlp_max_nonzeros``, PDLP from the start.
    """
    problem, strategy = run.problem, run.problem.strategy
    lp, lp_done = _relaxation(problem, second_core, run.deadline)
    if lp is not None:
        run.ran("lp")
    first_order = (
        lp is None
        and (problem.minimize or problem.by_budget)
        and problem.cover.nnz <= strategy.pdlp_max_nonzeros
    )
    later = None
    if first_order:
        later = second_core.submit(_first_order_bound, problem, run.deadline - 0.5)
        run.ran("pdlp")
    return _Bounds(lp, lp_done, later, first_order)


def _lagrangian_pass(run: _Run, bounds: _Bounds, second_core: ThreadPoolExecutor) -> None:
    """Subgradient steps: a first bound, proposals, and the sites' ranking for kernel search.

    At most a quarter of the time (on the largest matrices 2,000 steps take a minute); a set
    cover that PDLP bounds spends the time on neighbourhood search instead. Without an LP
    or PDLP the dual goes on improving on the second core until the heuristics end.
    """
    problem, strategy = run.problem, run.problem.strategy
    share = 0.0 if bounds.first_order and problem.minimize else 0.25
    dual = _lagrangian(problem, _value(problem, run.chosen), run.left(share),
                       strategy.lagrangian_iterations, stop=bounds.lp_done)  # fmt: skip
    run.ran("lagrangian")
    run.bound, run.multiplier = dual.bound, dual.multiplier
    if dual.proposal is not None and _better(problem, dual.proposal, run.chosen):
        run.chosen = dual.proposal
    if bounds.lp is None and bounds.later is None:
        bounds.later = second_core.submit(
            _lagrangian, problem, _value(problem, run.chosen), run.deadline - 0.5,
            strategy.lagrangian_iterations * 100, dual.multiplier, bounds.stop,
        )  # fmt: skip


def _heuristics(run: _Run, bounds: _Bounds) -> None:
    """Local search, then kernel or neighbourhood search while the gap is worth it.

    Set covering searches here only without an LP (with one, :func:`_collect_bounds` does,
    from the LP's values). When the heuristics end early, the bound on the second core
    improves on for most of the time left.
    """
    problem = run.problem
    _local_search(run)
    if bounds.lp is not None and bounds.lp_done.is_set():
        early = bounds.lp()
        run.tighten(early.bound, early.multiplier)
    if (not problem.minimize or bounds.lp is None) and run.worth_searching:
        _search(run, run.left(0.9), bounds.lp_done if bounds.lp else None)
    if bounds.later is not None and run.worth_searching:
        wait([bounds.later], timeout=0.8 * (run.deadline - time.perf_counter()))
    bounds.stop.set()


def _collect_bounds(run: _Run, bounds: _Bounds, second_core: ThreadPoolExecutor) -> Future | None:
    """Take the LP's bound (and search from its values) and the second core's bound.

    While the search from the LP's values runs, the second core computes the bound of the
    Lagrangian decomposition by regions at the LP's duals (:func:`_decomposition`), which
    goes on until the deadline or until `bounds.regions_done` is set.

    Returns
    -------
    concurrent.futures.Future or None
        The decomposition's bound under way, if it started.
    """
    decomposed = None
    if bounds.lp is not None:
        relaxation = bounds.lp()
        run.tighten(relaxation.bound, relaxation.multiplier)
        if relaxation.multiplier is not None and run.worth_searching:
            done = bounds.regions_done
            decomposed = _decomposition(run, relaxation.multiplier, second_core, done)
        if relaxation.x is not None and run.worth_searching:
            _search_from_lp(run, relaxation.x, run.left(0.9))
    if bounds.later is not None:
        continued = bounds.later.result()
        run.tighten(continued.bound, continued.multiplier)
    return decomposed


def _decomposition(
    run: _Run, multiplier: np.ndarray, second_core: ThreadPoolExecutor, stop: threading.Event
) -> Future | None:
    """Start the bound of the Lagrangian decomposition by regions on the second core.

    Maximal covering by count or budget, with ``decomposition_regions`` regions, at the
    LP's duals and the knapsack's price of the count or budget row: never weaker than the
    LP's bound, and tighter where the regions' own MILPs have an integrality gap
    (:func:`~whitespot.planning._decomposition._decomposed_bound`). None for set covering
    or when the strategy turns it off.
    """
    problem = run.problem
    count = problem.strategy.decomposition_regions
    if problem.minimize or count < 1 or run.deadline - time.perf_counter() < 2.0:
        return None
    run.ran("decomposition")
    return second_core.submit(
        _bound_by_regions, problem, multiplier, count, run.deadline - 0.5, stop
    )


def _prove(run: _Run) -> str | None:
    """Fix sites by reduced costs and solve the rest exactly; kernel search first if needed.

    The best solution is usually optimal by now: fixing leaves a small problem that proves
    it (or finds better). When fixing leaves more than ``fix_first_max_share`` of the sites
    open, a better incumbent from kernel search fixes more.
    """
    problem = run.problem
    status = _fix_and_solve(run, problem.strategy.fix_first_max_share)
    if status is None and not problem.minimize and run.multiplier is not None:
        _kernel_search(run, _site_ranking(problem, run.multiplier), run.left(0.9))
        status = _fix_and_solve(run)
    return status


def _relaxation(
    problem: _Problem,
    second_core: ThreadPoolExecutor,
    deadline: float,
    solve: Callable[..., _Relaxation] = _lp_dual_bound,
) -> tuple[Callable[[], _Relaxation] | None, threading.Event]:
    """Start the LP relaxation beside the heuristics (up to ``lp_bound_max_nonzeros``).

    Interior point runs on the second core. Up to ``lp_race_max_nonzeros`` dual simplex
    races it on this one, and the first to finish stops the other.

    Parameters
    ----------
    solve : callable, default :func:`~whitespot.planning._bounds._lp_dual_bound`
        Solves the LP: ``solve(problem, time_limit_s, solver, stop)``.

    Returns
    -------
    (callable or None, threading.Event)
        A function that waits for the relaxation (None without an LP), and an event set
        once it is solved.
    """
    solved = threading.Event()
    strategy = problem.strategy
    if problem.cover.nnz > strategy.lp_bound_max_nonzeros:
        return None, solved
    limit = max(deadline - time.perf_counter() - 0.5, 0.5)
    simplex_first = threading.Event()
    interior = second_core.submit(solve, problem, limit, "ipx", simplex_first)
    interior.add_done_callback(
        lambda done: done.result().x is not None and solved.set()  # not when it failed
    )
    if problem.cover.nnz <= strategy.lp_race_max_nonzeros:
        simplex = solve(problem, limit, "simplex", solved)
        if simplex.x is not None:
            simplex_first.set()
            solved.set()
            return lambda: simplex, solved
    return interior.result, solved


def _search(run: _Run, until: float, stop: threading.Event | None) -> None:
    """Search for a better solution before the LP is known, or without one.

    Kernel search by the sites' worth at the best multipliers; for set covering (which
    comes here only without an LP, so beyond ``cover_exact_max_nonzeros``) neighbourhood
    search.
    """
    if run.problem.minimize:
        _neighbourhood(run, run.chosen, until)
    else:
        _kernel_search(run, _site_ranking(run.problem, run.multiplier), until, stop)


def _search_from_lp(run: _Run, x: np.ndarray, until: float) -> None:
    """Improve the incumbent from the LP's values `x` until `until`, then by local search.

    A set cover beyond ``cover_exact_max_nonzeros`` starts neighbourhood search from the
    better of the incumbent and LP rounding; maximal covering by count beyond
    ``auto_exact_max_nonzeros`` goes to neighbourhood search too. The others take the MILP
    over the LP's support (:func:`~whitespot.planning._exact._lp_guided`), which under a
    budget found better solutions than neighbourhood search (family A at 50,000 points:
    0.46 % from the bound against 0.69 %).
    """
    problem, strategy = run.problem, run.problem.strategy
    if problem.minimize and problem.cover.nnz > strategy.cover_exact_max_nonzeros:
        _neighbourhood(run, _lp_rounded(problem, x, run.chosen), until)
    elif problem.by_count and problem.cover.nnz > strategy.auto_exact_max_nonzeros:
        _neighbourhood(run, run.chosen, until)
    else:
        run.chosen = _lp_guided(problem, run.chosen, x, until)
        run.ran("lp_guided_milp")
        _local_search(run)


def _neighbourhood(run: _Run, start: np.ndarray, until: float) -> None:
    """Large neighbourhood search from `start` (:mod:`~whitespot.planning._neighbourhood`)."""
    run.chosen = _neighbourhood_search(run.problem, start, until)
    run.ran("neighbourhood_search")


def _kernel_search(
    run: _Run, score: np.ndarray, until: float, stop: threading.Event | None = None
) -> None:
    """Kernel search from the incumbent, then local search on what it finds (if better)."""
    kernel = _kernel_solution(run.problem, run.chosen, score, until, stop)
    run.ran("kernel_search")
    if kernel is not None and _better(run.problem, kernel, run.chosen):
        run.chosen = kernel
        _local_search(run, until)


def _local_search(run: _Run, until: float | None = None) -> None:
    """Swap sites (until `until`, default the deadline); for set covering drop redundant ones."""
    if run.problem.minimize:
        run.chosen = _drop_redundant(run.problem, run.chosen)
    else:
        run.chosen = _swap_search(run.problem, run.chosen, run.deadline if until is None else until)
    run.ran("local_search")


def _fix_and_solve(run: _Run, max_share: float = 1.0) -> str | None:
    """Fix sites by their reduced costs, then solve what is left exactly.

    Sites that no better solution than the incumbent can build (or can leave out) are
    fixed (:func:`_fixed_by_reduced_cost`); the MILP over the others is usually small.
    Every solution outside it is no better than the incumbent, so the bound of the whole
    problem is the better of the incumbent and the reduced MILP's bound.

    Returns
    -------
    str or None
        The status; None when fixing did not leave a problem small enough to solve in the
        time left, or left more than `max_share` of the allowed sites open.
    """
    problem, chosen = run.problem, run.chosen
    if run.multiplier is None or run.deadline - time.perf_counter() < 1.0:
        return None
    fixed = _fixed_kernel(problem, run.multiplier, _value(problem, chosen), max_share)
    if fixed is None:
        return None
    run.ran("fixing")
    kernel, reduced = fixed
    if reduced is None or _nothing_to_choose(reduced):
        # no solution better than the incumbent, or only the sites fixed in
        alone = chosen if reduced is None else kernel[reduced.forced]
        run.chosen = alone if _better(problem, alone, chosen) else chosen
        run.bound = _value(problem, run.chosen)
        return "optimal"
    start = _within(kernel, chosen, reduced.forced)
    sites, reduced_bound, status = _milp(
        reduced, run.deadline - time.perf_counter(), run.tolerance, start=start
    )
    if sites is not None and _better(problem, kernel[sites], chosen):
        run.chosen = kernel[sites]
    objective = _value(problem, run.chosen)
    if not np.isfinite(reduced_bound):
        return None
    # outside the kernel nothing beats the incumbent: the bound is the better of the two
    proved = min(reduced_bound, objective) if problem.minimize else max(reduced_bound, objective)
    run.bound = _tighter(problem, run.bound, proved)
    return status


def _fixed_kernel(
    problem: _Problem, multiplier: np.ndarray, incumbent: float, max_share: float
) -> tuple[np.ndarray, _Problem | None] | None:
    """Fix sites by reduced cost; return the sites left (with those fixed in) and their problem.

    Returns
    -------
    (numpy.ndarray, _Problem or None) or None
        The kernel and the restricted problem, which is None when no solution better than
        the incumbent exists (it would build more than the limit, or leave demand that only
        fixed-out sites cover). None when more than `max_share` of the allowed sites stay
        open or the restricted MILP is larger than ``auto_exact_max_nonzeros``.
    """
    out, fixed_in = _fixed_by_reduced_cost(problem, multiplier, incumbent)
    kernel = np.flatnonzero(problem.allowed & ~out)
    forced = np.union1d(problem.forced, np.flatnonzero(fixed_in)).astype(int)
    if len(kernel) - len(forced) > max_share * problem.allowed.sum():
        return None
    if (problem.by_count and len(forced) > problem.limit) or (
        problem.by_budget and problem.cost[forced].sum() > problem.limit
    ):
        return kernel, None
    reduced = _restricted(problem, kernel, forced)
    if reduced is not None and reduced.cover.nnz > problem.strategy.auto_exact_max_nonzeros:
        return None
    return kernel, reduced
