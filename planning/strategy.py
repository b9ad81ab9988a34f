"""How ``method="auto"`` spends its time: the sizes and shares that switch its stages.

The defaults were measured on the two benchmark families of
``benchmarks/bench_select.py`` on a 2-core machine (the figures are in each field's
description); a planner with another machine or other instances may pass other values
(``select_sites(..., strategy=SelectionStrategy(...))``). They change how fast a good
answer and a tight bound are found, never whether the bound is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from whitespot._errors import InputError


@dataclass(frozen=True)
class SelectionStrategy:
    """The controls of site selection's ``auto`` method, one value passed down to every stage.

    Attributes
    ----------
    lp_bound_max_nonzeros : int, default 1,500,000
        Up to this many matrix entries the bound comes from the LP relaxation, solved on
        the second core while the heuristics run (about 6 s for set covering and 38 s for
        maximal covering at 0.66 M entries); it is tighter than what subgradient steps reach
        in the same time. Beyond, the Lagrangian dual is the bound, or for set covering and
        budgets PDLP's (`pdlp_max_nonzeros`).
    lp_race_max_nonzeros : int, default 400,000
        Up to this many entries dual simplex (on the first core) and interior point (on the
        second) race to solve the LP relaxation; the first to finish stops the other.
        Neither is always faster: at 10,000 points of family A interior point took 0.5 s
        and dual simplex 2.0 s (number of sites), on family B dual simplex 0.4-0.6 s and
        interior point 1.6-1.8 s. Beyond, interior point alone: at 50,000 points of family
        A (0.66 M entries) it took 23 s, dual simplex was not done in 120 s.
    pdlp_max_nonzeros : int, default 15,000,000
        Set covering and budgets beyond `lp_bound_max_nonzeros`, up to this many entries,
        take their bound from PDLP (HiGHS's first-order LP solver) on the second core from
        the start instead of subgradient steps; a set cover then spends the first core on
        the search alone. Gap with the Lagrangian -> with PDLP, 60 s: set covering B at
        50,000 points (3.4 M entries) 8.75 -> 4.79 %, at 200,000 points A 12.36 -> 10.72 %
        and B 14.31 -> 11.20 %; budgets B at 50,000 points (13.3 M) 0.54 -> 0.28 %, A at
        200,000 (5.5 M) 0.80 -> 0.65 %. Maximal covering by count keeps subgradient steps
        (PDLP's bound was weaker at 200,000 points: 3.51 against 3.08 % on A). HiGHS's and
        PDLP's copies take about 60 bytes per entry: the ceiling keeps them under 0.9 GB.
    pdlp_setup_s_per_entry : float, default 1e-6
        Time HiGHS spends setting PDLP up and ending it outside PDLP's own clock, s per
        matrix entry (measured 0.3-0.45 us idle, up to 0.9 us with the search on the other
        core); taken off the time PDLP is given, so that selection ends within its limit.
    auto_exact_max_nonzeros : int, default 300,000
        ``auto`` gives the whole MILP (and MILPs left by reduced-cost fixing) to HiGHS only
        up to this many entries; beyond, the root relaxation alone outlasts any useful time
        limit, and kernel MILPs or neighbourhood search do the exact work. Maximal covering
        by count beyond it searches neighbourhoods after the LP (family A at 50,000 points:
        +0.12 % of the demand, where the MILP over the LP's support found nothing in 16 s).
    cover_exact_max_nonzeros : int, default 50,000
        Set covering up to this many entries goes to the whole MILP, which proves it;
        beyond, neighbourhood search spends the time on better covers. Family A at 10,000
        points (6,700 entries): HiGHS proves the optimum in 2.8 s, which neighbourhood
        search reaches in 1.2 s; at 50,000 (199,000 entries) HiGHS is 6 % from its bound
        after 460 s with a cover that neighbourhood search beats in 12 s.
    fix_first_max_share : float, default 0.25
        Right after the LP, the MILP left by reduced-cost fixing is solved at once when it
        keeps at most this share of the allowed sites open; otherwise kernel search first
        finds a better incumbent, which fixes more (family B at 10,000 points: 1.2 s in all
        instead of 1.8-2.1 s; at 0.2 the budget of family A took 11 s in kernel search).
    lagrangian_iterations : int, default 2,000
        Subgradient steps of the first Lagrangian pass (100 times more when it goes on as
        the bound on the second core); it also stops at a quarter of the time limit.
    lagrangian_patience : int, default 100
        Steps without a better bound before the step factor is halved.
    lagrangian_deflection : float, default 0.7
        Share of the previous direction kept in the next (Camerini, Fratta & Maffioli
        1975): on the 50,000-point benchmark the bound comes within 0.1 % of the LP
        optimum instead of stalling 0.6 % above it.
    decomposition_regions : int, default 8
        Regions of the Lagrangian decomposition that bounds maximal covering (by count or
        budget) after the LP, on the second core while the search from the LP runs: the
        allowed sites are split into this many regions of little shared demand and each
        region's MILP is solved at the LP's prices. Never weaker than the LP's bound; at
        10,000 points of family A the budget's gap from the LP bound went from 0.31 % to
        0.20 % with 4 or 8 regions. -1 turns it off.
    kernel_factors : tuple of float, default (2, 3, 4, 6, 8)
        Kernel search's kernel sizes, as multiples of the number of sites to choose.
    neighbourhood_sites : tuple of int, default (100, 200, 400)
        Sites freed around each seed of neighbourhood search. A pass that improves nothing
        moves to the next size; the search stops after a pass of the largest that improves
        nothing.
    neighbourhood_seconds : float, default 2.0
        Time limit of one neighbourhood's MILP, s.
    swap_rounds : int, default 500
        Most exchanges the local search makes.
    milp_presolve : bool, default False
        HiGHS's presolve on the MILPs (dominated sites and redundant groups are gone
        already). At 10,000 points, started from the optimum: the budget MILP left after
        fixing on family A 2.3-2.7 s without, 3.8-4.5 s with; the whole set-covering MILP
        of family A 1.7-1.9 s without, 8.8-9.9 s with.
    ipm_presolve : bool, default False
        HiGHS's presolve before interior point: at 10,000 points 0.54 s instead of 0.65 s
        (A, number of sites), 1.35 / 1.66 s (B); at 50,000 points of family A 23.4 / 36.2 s.

    Raises
    ------
    whitespot.InputError
        For a size or a count that is not positive, a share outside (0, 1] or a deflection
        outside [0, 1).
    """

    lp_bound_max_nonzeros: int = 1_500_000
    lp_race_max_nonzeros: int = 400_000
    pdlp_max_nonzeros: int = 15_000_000
    pdlp_setup_s_per_entry: float = 1e-6
    auto_exact_max_nonzeros: int = 300_000
    cover_exact_max_nonzeros: int = 50_000
    fix_first_max_share: float = 0.25
    lagrangian_iterations: int = 2000
    lagrangian_patience: int = 100
    lagrangian_deflection: float = 0.7
    decomposition_regions: int = 8
    kernel_factors: tuple[float, ...] = (2, 3, 4, 6, 8)
    neighbourhood_sites: tuple[int, ...] = (100, 200, 400)
    neighbourhood_seconds: float = 2.0
    swap_rounds: int = 500
    milp_presolve: bool = False
    ipm_presolve: bool = False

    def __post_init__(self) -> None:
        wrong = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if not _allowed(f.name, getattr(self, f.name))
        ]
        if wrong:
            raise InputError(
                f"SelectionStrategy: {', '.join(wrong)}: sizes, counts and times must be > 0 "
                "(a size of -1 turns its stage off), shares within (0, 1], the deflection "
                "within [0, 1), sizes of kernels and neighbourhoods a non-empty tuple of "
                "positive numbers"
            )


def _allowed(name: str, value: object) -> bool:
    """Whether `value` is a sensible setting of the field `name`."""
    if name in ("milp_presolve", "ipm_presolve"):
        return isinstance(value, bool)
    if name in ("kernel_factors", "neighbourhood_sites"):
        return isinstance(value, tuple) and len(value) > 0 and all(v > 0 for v in value)
    if name == "fix_first_max_share":
        return 0 < value <= 1
    if name == "lagrangian_deflection":
        return 0 <= value < 1
    if name.endswith("_max_nonzeros") or name == "decomposition_regions":
        return value >= -1  # -1: the stage never runs
    return value > 0
