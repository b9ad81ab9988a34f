"""Money over a plan's lifetime."""

from __future__ import annotations

import numpy as np
import pytest

from whitespot._errors import InputError
from whitespot.planning import pvifa


def test_pvifa_at_2_percent_over_10_years():
    # PVIFA(2 %, 10 years) = (1 - 1.02^-10) / 0.02 = 8.9826 (standard annuity tables; issue 44)
    assert pvifa(0.02, 10) == pytest.approx(8.9826, abs=5e-5)


def test_pvifa_limits_and_arrays():
    assert pvifa(0.0, 7) == 7.0  # no discounting: the sum of the payments
    assert pvifa(0.10, 1) == pytest.approx(1 / 1.1)
    assert pvifa(0.05, 10_000) == pytest.approx(1 / 0.05)  # a perpetuity
    np.testing.assert_allclose(pvifa([0.0, 0.02], [10, 10]), [10.0, 8.982585], atol=1e-6)
    with pytest.raises(InputError, match="rate > -1"):
        pvifa(-1.0, 10)
    with pytest.raises(InputError, match="years >= 0"):
        pvifa(0.02, -1)
