"""Candidates whose capex is half in VND and half in million VND (issue 41, item 18)."""

from __future__ import annotations

import pytest

from whitespot.data import ValidationError
from whitespot.planning import CapexUnitWarning, Objective, candidates_from_gaps, plan_sites


def test_capex_in_two_units_is_converted_row_by_row_naming_the_rows(gaps):
    candidates = candidates_from_gaps(gaps).head(40).reset_index(drop=True)
    in_vnd = candidates.index % 2 == 0
    candidates["capex"] = [1_200_000_000.0 if v else 1_200.0 for v in in_vnd]
    vnd_ids = candidates.loc[in_vnd, "site_id"].tolist()
    with pytest.warns(CapexUnitWarning, match=r"mixes units") as said:
        plan = plan_sites(gaps, Objective.sites(2), candidates=candidates, progress=False)
    message = str(said[0].message)
    assert "20 sites in VND" in message and "20 sites in million VND" in message
    assert vnd_ids[0] in message  # the rows are named
    assert plan.settings["capex_unit"] == "mixed units, each row converted to million VND"
    # the median used to decide for all: half the sites kept 1,200 billion million VND and
    # fell out of any budget; each is now 1,200 million VND
    assert plan.sites["capex"].tolist() == pytest.approx([1_200.0] * len(plan.sites))


def test_capex_in_sizes_no_unit_reconciles_is_refused_naming_the_rows(gaps):
    candidates = candidates_from_gaps(gaps).head(10).reset_index(drop=True)
    candidates["capex"] = [5e11 if k < 5 else 1_200.0 for k in range(10)]
    with pytest.raises(ValidationError, match=r"no unit reconciles: 5 sites in VND \(") as error:
        plan_sites(gaps, Objective.sites(2), candidates=candidates, progress=False)
    assert candidates["site_id"].iloc[0] in str(error.value)
