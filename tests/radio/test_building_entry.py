"""ITU-R P.2109 building entry loss against the ITU's validation examples."""

from __future__ import annotations

import numpy as np
import pytest

from whitespot._errors import InputError
from whitespot.radio import ModelRangeError, p2109_building_entry_loss_db

# ITU-R Study Group 3 "Clutter and BEL workbook" reference values, as transcribed into
# validate_p2109.m of the SG3 reference implementation (I. Stevanovic, OFCOM;
# github.com/eeveetza/p2109, commit 99fb8c4): f MHz, elevation deg, p %, building, L dB
ITU_VALIDATION = [
    (28000, 0, 1e-05, "traditional", -0.275),
    (28000, 0, 0.01, "traditional", 1.003),
    (28000, 0, 1.0, "traditional", 2.769),
    (28000, 0, 19.95262, "traditional", 10.644),
    (28000, 0, 50.11872, "traditional", 20.218),
    (28000, 0, 79.43282, "traditional", 30.317),
    (28000, 0, 99.77001, "traditional", 55.440),
    (28000, 0, 1e-05, "thermally_efficient", -2.117),
    (28000, 0, 1.0, "thermally_efficient", 9.369),
    (28000, 0, 31.62278, "thermally_efficient", 32.790),
    (28000, 0, 50.11872, "thermally_efficient", 41.732),
    (28000, 0, 99.77001, "thermally_efficient", 95.448),
    (2000, 45, 0.01, "traditional", -1.131),
    (2000, 45, 1.0, "traditional", 3.508),
    (2000, 45, 31.62278, "traditional", 18.792),
    (2000, 45, 50.11872, "traditional", 23.556),
    (2000, 45, 99.77001, "traditional", 52.300),
    (2000, 45, 0.01, "thermally_efficient", -1.012),
    (2000, 45, 19.95262, "thermally_efficient", 26.283),
    (2000, 45, 50.11872, "thermally_efficient", 37.995),
    (2000, 45, 79.43282, "thermally_efficient", 49.747),
    (2000, 45, 99.77001, "thermally_efficient", 79.101),
]


@pytest.mark.parametrize(("f_mhz", "elevation", "percent", "building", "expected"), ITU_VALIDATION)
def test_building_entry_loss_of_the_itu_workbook(
    f_mhz: float, elevation: float, percent: float, building: str, expected: float
) -> None:
    loss = p2109_building_entry_loss_db(f_mhz, elevation, percent, building)
    assert loss == pytest.approx(expected, abs=0.01)


def test_building_entry_loss_is_vectorized() -> None:
    rows = [row for row in ITU_VALIDATION if row[3] == "traditional" and row[0] == 28000]
    percent = np.array([row[2] for row in rows])
    expected = np.array([row[4] for row in rows])
    np.testing.assert_allclose(p2109_building_entry_loss_db(28000, 0, percent), expected, atol=0.01)


@pytest.mark.parametrize(
    ("f_mhz", "elevation", "percent", "word"),
    [
        (79.0, 0, 50, "0.08..100"),
        (100_001.0, 0, 50, "0.08..100"),
        (900.0, 91, 50, "elevation_deg"),
        (900.0, 0, 0, "percent"),
        (900.0, 0, 100, "percent"),
    ],
)
def test_building_entry_loss_refuses_outside_its_range(
    f_mhz: float, elevation: float, percent: float, word: str
) -> None:
    with pytest.raises(ModelRangeError, match=word):
        p2109_building_entry_loss_db(f_mhz, elevation, percent)


def test_an_unknown_building_is_named() -> None:
    with pytest.raises(InputError, match="thermally_efficient"):
        p2109_building_entry_loss_db(900, 0, 50, "mud_brick")
