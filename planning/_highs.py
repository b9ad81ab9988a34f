"""HiGHS through its own interface (highspy): what scipy's wrapper cannot pass.

scipy's ``milp`` and ``linprog`` take no starting solution, cannot be stopped from
outside, and ship an older HiGHS. Here a MILP starts from the incumbent (HiGHS then prunes
by it from the first node) and runs without presolve on the problems the planning engine
hands it, which its own reductions have already made small; a MILP or an LP stops when a
:class:`threading.Event` is set (kernel search gives way to the LP that has just finished
on the other core; of dual simplex and interior point racing on an LP, the first to finish
stops the other).
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csr_matrix


def _without_banner() -> None:
    """Make the process's first HiGHS instance with C stdout closed.

    HiGHS prints its version banner on the C-level stdout when the first instance is made,
    before any option can silence it: in the middle of the CLI's lines and a notebook's
    server log. Later instances print nothing.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_without_banner()

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
}


@dataclass(frozen=True)
class _Solved:
    """What HiGHS returns.

    Attributes
    ----------
    x : numpy.ndarray or None
        Values of the columns; None when no feasible point was found.
    row_dual : numpy.ndarray or None
        Duals of the rows of an LP solved to optimality, or PDLP's last iterate when it
        stopped at the time limit (HiGHS's sign: the change of the objective per unit of the
        row's bound); None otherwise.
    bound : float
        Proven bound on the optimum: the MIP dual bound, or the LP optimum.
    status : str
        "optimal", "time_limit", "interrupted", "infeasible" or the solver's message.
    """

    x: np.ndarray | None
    row_dual: np.ndarray | None
    bound: float
    status: str


def solve_highs(  # noqa: PLR0913 a model has this many parts
    cost: np.ndarray,
    matrix: csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    column_lower: np.ndarray,
    column_upper: np.ndarray,
    integer: np.ndarray,
    *,
    time_limit_s: float,
    gap: float,
    start: np.ndarray | None = None,
    stop: threading.Event | None = None,
    presolve: bool = False,
    solver: str = "choose",
) -> _Solved:
    """Minimise ``cost . x`` s.t. ``row_lower <= matrix x <= row_upper`` and column bounds.

    Parameters
    ----------
    cost, column_lower, column_upper : numpy.ndarray
        Per column.
    matrix : scipy.sparse.csr_matrix
        Rows x columns.
    row_lower, row_upper : numpy.ndarray
        Per row (``-inf`` / ``inf`` where unbounded).
    integer : numpy.ndarray of bool
        Columns that must be whole numbers.
    time_limit_s : float
        Wall time, s.
    gap : float
        Relative MIP gap at which HiGHS stops.
    start : numpy.ndarray, optional
        A feasible point to start from (the incumbent). HiGHS's feasibility jump, which
        looks for a first feasible point, is then off: measured on 60 neighbourhood MILPs
        of the set covering benchmark at 200,000 points (100 sites each), 1.0-1.5 s in all
        instead of 3.4-3.5 s; on the 10,000-point MILPs of family A (whole set covering,
        budget after fixing) the times stayed within the spread of HiGHS's random seeds.
    stop : threading.Event, optional
        HiGHS stops at its next check once this is set (status "interrupted"); the best
        point found so far and the bound proved are returned.
    presolve : bool, default False
        HiGHS's presolve.
    solver : {"choose", "simplex", "ipx", "pdlp"}
        For an LP: dual simplex, interior point (IPX) or the first-order primal-dual
        hybrid gradient (PDLP), whose iterates are usable duals at any time.
    """
    highs = highspy.Highs()
    highs.silent()
    highs.setOptionValue("time_limit", max(float(time_limit_s), 0.01))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.setOptionValue("presolve", "on" if presolve else "off")
    highs.setOptionValue("solver", solver)
    # row-wise as given, straight from the arrays: HiGHS makes the only copy (through a
    # HighsLp and a column-wise copy, PDLP at 13 M entries took 1.1 GB more, not 0.8)
    rows = csr_matrix(matrix)
    highs.passModel(
        rows.shape[1], rows.shape[0], rows.nnz, highspy.MatrixFormat.kRowwise,
        highspy.ObjSense.kMinimize, 0.0,
        *(np.asarray(v, dtype=np.float64)
          for v in (cost, column_lower, column_upper, row_lower, row_upper)),
        rows.indptr.astype(np.int32, copy=False), rows.indices.astype(np.int32, copy=False),
        rows.data.astype(np.float64, copy=False), np.asarray(integer, dtype=np.int32),
    )  # fmt: skip
    if start is not None:
        # feasibility jump looks for a first feasible point, which the start already is
        highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        given = highspy.HighsSolution()
        given.col_value = np.asarray(start, dtype=np.float64)
        given.value_valid = True
        highs.setSolution(given)
    if stop is not None:

        def interrupt(event: highspy.HighsCallbackEvent) -> None:
            if stop.is_set():
                event.interrupt()

        highs.cbMipInterrupt += interrupt
        highs.cbSimplexInterrupt += interrupt
        highs.cbIpmInterrupt += interrupt
    highs.run()
    info = highs.getInfo()
    model_status = highs.getModelStatus()
    status = _STATUS.get(model_status, f"solver: {highs.modelStatusToString(model_status)}")
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    solution = highs.getSolution()
    x = np.array(solution.col_value) if feasible else None
    usable = status == "optimal" or (solver == "pdlp" and status == "time_limit")
    has_duals = not integer.any() and usable and solution.dual_valid
    row_dual = np.array(solution.row_dual) if has_duals else None
    objective = float(info.objective_function_value) if feasible else np.inf
    bound = float(info.mip_dual_bound) if integer.any() else objective
    return _Solved(x, row_dual, bound, status)
