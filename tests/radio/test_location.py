"""Location probability: the margin of a cell-edge probability and Jakes-Reudink area coverage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitespot._errors import InputError
from whitespot.radio import area_coverage_probability, location_margin_db


def test_location_margin_of_the_normal_quantile() -> None:
    # the standard normal quantile z(0.9) = 1.281552 (Abramowitz & Stegun Table 26.5):
    # 1.281552 x 8 dB = 10.25 dB; z(0.75) = 0.674490; the median asks for no margin
    assert location_margin_db(0.9, 8.0) == pytest.approx(10.2524, abs=1e-4)
    assert location_margin_db(0.75, 8.0) == pytest.approx(5.3959, abs=1e-4)
    assert location_margin_db(0.5, 8.0) == 0.0
    assert location_margin_db(0.95, 6.0) == pytest.approx(1.644854 * 6.0, abs=1e-5)


def test_location_margin_is_vectorized() -> None:
    margin = location_margin_db(np.array([0.5, 0.9, 0.1]), np.array([8.0, 8.0, 8.0]))
    np.testing.assert_allclose(margin, [0.0, 10.2524, -10.2524], atol=1e-4)


# Rappaport, Wireless Communications, 2nd ed. (2002), eq. (4.82) and Figure 4.18:
# sigma 8 dB, n = 4 (sigma / n = 2)
RAPPAPORT_AREA = [(0.5, 0.7728), (0.75, 0.9073), (0.9, 0.9687)]


@pytest.mark.parametrize(("edge", "expected"), RAPPAPORT_AREA)
def test_area_coverage_of_jakes_reudink(edge: float, expected: float) -> None:
    assert area_coverage_probability(edge, 8.0, 4.0) == pytest.approx(expected, abs=5e-5)


def test_area_coverage_is_vectorized_and_bounded() -> None:
    edge = np.array([edge for edge, _ in RAPPAPORT_AREA])
    area = area_coverage_probability(edge, np.full(3, 8.0), 4.0)
    np.testing.assert_allclose(area, [a for _, a in RAPPAPORT_AREA], atol=5e-5)
    # without variability a covered edge covers the whole cell
    assert area_coverage_probability(0.9, 0.0, 4.0) == 1.0
    # tiny sigma: finite, not an overflow
    assert 0.99 < area_coverage_probability(0.9, 1e-3, 4.0) <= 1.0


@given(
    st.floats(0.05, 0.95),
    st.floats(1.0, 15.0),
    st.floats(2.0, 5.0),
)
def test_the_area_is_covered_at_least_as_often_as_the_edge(
    edge: float, sigma_db: float, exponent: float
) -> None:
    area = float(area_coverage_probability(edge, sigma_db, exponent))
    assert edge <= area + 1e-12 <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("args", "word"),
    [((0.0, 8.0), "probability"), ((90.0, 8.0), "probability"), ((0.9, -1.0), "sigma")],
)
def test_location_margin_refuses_what_is_no_probability(args: tuple, word: str) -> None:
    with pytest.raises(InputError, match=word):
        location_margin_db(*args)


def test_area_coverage_refuses_a_zero_exponent() -> None:
    with pytest.raises(InputError, match="path_loss_exponent"):
        area_coverage_probability(0.9, 8.0, 0.0)
