"""Cells read as offices write them: numbers with Vietnamese or English separators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whitespot.data._cells import local_numbers


@pytest.mark.parametrize(
    ("cells", "numbers", "ambiguous"),
    [
        # nothing in the column decides: one group of three is thousands, as in counts
        (["2.150", "2,150", "850"], [2150, 2150, 850], [True, True, False]),
        # a decimal comma or dots grouping: the Vietnamese way decides
        (["2.150", "2,150", "2,5"], [2150, 2.15, 2.5], [False] * 3),
        (["2.150", "1.250.000"], [2150, 1_250_000], [False] * 2),
        (["1.250,5", "2,150"], [1250.5, 2.15], [False] * 2),
        # a decimal point or commas grouping: the English way decides
        (["2.150", "2,150", "3.75"], [2.15, 2150, 3.75], [False] * 3),
        (["1,250,000", "2.150"], [1_250_000, 2.15], [False] * 2),
        # spaces group thousands whatever the decimal mark
        (["1 250 000", "1 250,5", "1\u00a0250.5"], [1_250_000, 1250.5, 1250.5], [False] * 3),
        # numbers are numbers; plain text forms too
        ([12.0, 7, "1e3", "-2,5"], [12, 7, 1000, -2.5], [False] * 4),
    ],
)
def test_local_numbers(cells, numbers, ambiguous):
    values, unreadable, marked = local_numbers(pd.Series(cells, dtype=object))
    assert values.tolist() == pytest.approx(numbers)
    assert not unreadable.any()
    assert marked.tolist() == ambiguous


def test_local_numbers_leave_blanks_missing_and_name_text():
    values, unreadable, _ = local_numbers(pd.Series(["", None, "abc", "inf", "12 tỷ"]))
    assert np.isnan(values).all()
    assert unreadable.tolist() == [False, False, True, True, True]
