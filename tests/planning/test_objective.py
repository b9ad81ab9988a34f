"""The Objective of site selection: its constructors, its checks, and the calls it replaced."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.sparse import csr_matrix

import whitespot.planning
from whitespot import InputError
from whitespot.planning import (
    CoverageMatrix,
    InfeasibleError,
    Objective,
    plan_country,
    plan_sites,
    select_sites,
)


def test_each_constructor_makes_its_problem():
    assert Objective.sites(20) == Objective("max_coverage", 20)
    assert Objective.budget(30_000) == Objective("budget", 30_000)
    assert Objective.cover_all() == Objective("set_cover")
    assert Objective.cover_all().limit is None
    assert "Objective" in whitespot.planning.__all__


def test_forced_and_forbidden_ids_are_kept_as_text():
    objective = Objective.sites(3, forced=iter(["S1", 7]), forbidden=np.array(["S9"]))
    assert objective.forced == ("S1", "7") and objective.forbidden == ("S9",)
    assert Objective.cover_all(forced=["S2"]).forced == ("S2",)
    assert Objective.budget(5.0, forbidden=("S4",)).forbidden == ("S4",)
    assert hash(objective) == hash(Objective.sites(3, forced=["S1", "7"], forbidden=["S9"]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        objective.limit = 4


def test_a_whole_float_count_is_a_count():
    assert Objective.sites(3.0).limit == 3 and isinstance(Objective.sites(3.0).limit, int)
    assert Objective.sites(np.int64(2)).limit == 2
    assert Objective.sites(0).limit == 0  # nothing to build beyond the forced sites


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: Objective.sites(-1), "count=-1"),
        (lambda: Objective.sites(2.5), "count=2.5"),
        (lambda: Objective.sites(True), "count=True"),
        (lambda: Objective.sites("20"), "count='20'"),
        (lambda: Objective.sites(float("nan")), "count=nan"),
        (lambda: Objective.sites(None), "count=None"),
        (lambda: Objective.budget(-0.5), "amount=-0.5"),
        (lambda: Objective.budget(float("inf")), "amount=inf"),
        (lambda: Objective.budget(float("nan")), "amount=nan"),
        (lambda: Objective.budget("30000"), "amount='30000'"),
        (lambda: Objective("set_cover", 3), "limit=3"),
        (lambda: Objective("cover_all"), "problem='cover_all'"),
        (lambda: Objective.sites(2, forced="S1"), "forced='S1'"),
        (lambda: Objective.cover_all(forbidden="S1"), "forbidden='S1'"),
        (lambda: Objective.sites(2, forced=["S1", "S2"], forbidden=["S2"]), "forbidden: S2"),
    ],
)
def test_a_value_that_cannot_run_is_refused_naming_it(make, named):
    with pytest.raises(InputError, match=named):
        make()


def test_settings_record_the_objective_as_plans_did():
    assert Objective.sites(8).settings() == {"sites": 8, "budget": None, "cover_all": False}
    assert Objective.budget(10_000.0).settings() == {
        "sites": None,
        "budget": 10_000.0,
        "cover_all": False,
    }
    assert Objective.cover_all().settings() == {"sites": None, "budget": None, "cover_all": True}


def three_sites() -> CoverageMatrix:
    """S1 covers 10 households, S2 16 (the dearest), S3 1: costs 2, 5 and 1."""
    cover = csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1]], dtype=bool))
    return CoverageMatrix.from_cover(cover, np.array([5.0, 5.0, 10.0, 1.0]), np.array([2, 5, 1.0]))


@pytest.mark.parametrize(
    ("objective", "site_ids", "value"),
    [
        (Objective.sites(1), ("S2",), 16.0),  # the most households with one site
        (Objective.budget(3.0), ("S1", "S3"), 11.0),  # S2 costs more than the budget
        (Objective.cover_all(), ("S2", "S1"), 7.0),  # every household, least cost
        (Objective.sites(1, forbidden=["S2"]), ("S1",), 10.0),
        (Objective.sites(2, forced=["S3"]), ("S2", "S3"), 16.0),
        (Objective.cover_all(forced=["S3"]), ("S2", "S1", "S3"), 8.0),
    ],
)
def test_each_objective_reaches_the_optimum_by_hand(objective, site_ids, value):
    result = select_sites(three_sites(), objective, method="exact")
    assert result.site_ids == site_ids
    assert result.objective == pytest.approx(value) and result.status == "optimal"


def test_forced_sites_beyond_the_limit_are_infeasible():
    with pytest.raises(InfeasibleError, match="forced sites exceed sites=1"):
        select_sites(three_sites(), Objective.sites(1, forced=["S1", "S3"]))
    with pytest.raises(InfeasibleError, match=r"forced sites cost 5 > budget=4"):
        select_sites(three_sites(), Objective.budget(4.0, forced=["S2"]))


def test_the_old_keywords_and_a_bare_number_are_refused(gaps):
    with pytest.raises(TypeError, match="'budget'"):
        plan_sites(gaps, budget=30_000)
    with pytest.raises(TypeError, match="'objective'"):
        plan_country(gaps, sites=3)
    with pytest.raises(InputError, match="objective=20 must be an Objective"):
        plan_sites(gaps, 20)  # refused before any coverage is computed
    with pytest.raises(InputError, match="objective=None must be an Objective"):
        plan_country(gaps, None)
