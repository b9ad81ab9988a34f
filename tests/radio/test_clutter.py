"""ITU-R P.2108-1 clutter loss against NTIA's published test data."""

from __future__ import annotations

import numpy as np
import pytest

from whitespot._errors import InputError
from whitespot.radio import ModelRangeError, p2108_statistical_loss_db, p2108_terminal_loss_db
from whitespot.radio.clutter import CLUTTER_HEIGHTS_M

# NTIA/p2108-test-data (the test data of NTIA's reference implementation of P.2108,
# github.com/NTIA/p2108), HeightGainTerminalCorrectionModelTestData.csv, commit e46db67:
# f GHz, h m, street width m, clutter height R m, clutter type (Table 3), A_h dB
NTIA_TERMINAL = [
    (1.5, 2.0, 27.0, 10.0, "water_sea", 16.0),
    (1.5, 2.0, 27.0, 6.0, "water_sea", 10.9),
    (1.5, 2.0, 27.0, 10.0, "open_rural", 16.0),
    (1.5, 2.0, 27.0, 6.0, "open_rural", 10.9),
    (1.5, 2.0, 27.0, 10.0, "suburban", 20.5),
    (1.5, 2.0, 27.0, 6.0, "suburban", 14.6),
    (1.5, 2.0, 27.0, 15.0, "urban", 24.5),
    (1.5, 2.0, 27.0, 6.0, "urban", 14.6),
    (1.5, 2.0, 27.0, 15.0, "trees_forest", 24.5),
    (1.5, 2.0, 27.0, 6.0, "trees_forest", 14.6),
    (1.5, 2.0, 27.0, 20.0, "dense_urban", 27.1),
    (1.5, 2.0, 27.0, 6.0, "dense_urban", 14.6),
    (3.0, 3.0, 15.0, 15.0, "dense_urban", 29.0),
    (0.9, 2.3, 30.0, 10.0, "open_rural", 13.7),
    (1.5, 2.5, 25.0, 10.0, "suburban", 20.2),
    (0.03, 2.1, 24.5, 9.8, "suburban", 5.7),
    (1.7, 30.0, 24.5, 9.8, "suburban", 0.0),
    (1.7, 30.0, 24.5, 30.0, "suburban", 0.0),
]

# the same, TerrestrialStatisticalModelTestData.csv: f GHz, d km, p %, L_ctt dB
NTIA_STATISTICAL = [
    (0.5, 0.25, 50.0, 17.4),
    (0.5, 0.25, 1.0, 3.9),
    (0.5, 0.25, 99.0, 30.9),
    (26.6, 15.8, 45.0, 32.5),
    (67.0, 5.4, 30.5, 30.9),
    (3.5, 1.0, 0.1, 16.8),
    (3.5, 1.0, 99.9, 42.8),
]


@pytest.mark.parametrize(("f_ghz", "h_m", "w_m", "r_m", "kind", "expected"), NTIA_TERMINAL)
def test_terminal_correction_of_ntia(
    f_ghz: float, h_m: float, w_m: float, r_m: float, kind: str, expected: float
) -> None:
    loss = p2108_terminal_loss_db(
        f_ghz * 1000.0, h_m, kind, street_width_m=w_m, clutter_height_m=r_m
    )
    assert loss == pytest.approx(expected, abs=0.1)


def test_terminal_correction_is_vectorized() -> None:
    rows = [row for row in NTIA_TERMINAL if row[4] == "suburban"]
    f_ghz, h_m, w_m, r_m, _, expected = (np.array(column) for column in zip(*rows, strict=True))
    loss = p2108_terminal_loss_db(
        f_ghz * 1000.0, h_m, "suburban", street_width_m=w_m, clutter_height_m=r_m
    )
    np.testing.assert_allclose(loss, expected.astype(float), atol=0.1)


def test_terminal_correction_takes_table_3_heights() -> None:
    # R defaults to Table 3: 15 m for trees/forest, 10 m for open/rural
    assert p2108_terminal_loss_db(1500, 2.0, "trees_forest") == pytest.approx(24.5, abs=0.1)
    assert p2108_terminal_loss_db(1500, 2.0, "open_rural") == pytest.approx(16.0, abs=0.1)
    assert CLUTTER_HEIGHTS_M["dense_urban"] == 20.0


@pytest.mark.parametrize(("f_ghz", "d_km", "percent", "expected"), NTIA_STATISTICAL)
def test_statistical_loss_of_ntia(f_ghz: float, d_km: float, percent: float, expected: float):
    assert p2108_statistical_loss_db(f_ghz * 1000.0, d_km, percent) == pytest.approx(
        expected, abs=0.1
    )


def test_statistical_loss_holds_its_2_km_value() -> None:
    # eq. (6): never more than at 2 km
    far = p2108_statistical_loss_db(2000, [2.0, 5.0, 50.0], 50)
    np.testing.assert_allclose(far, far[0])


# NTIA's test data rows that return an error code (32-35, 48-50): refused, not extrapolated
@pytest.mark.parametrize(
    ("f_ghz", "h_m", "w_m", "r_m", "word"),
    [
        (0.02, 2.0, 27.0, 10.0, "0.03..3"),
        (4.0, 2.0, 27.0, 10.0, "0.03..3"),
        (1.0, 0.0, 10.0, 9.0, "height_m"),
        (2.0, 1.0, 0.0, 9.0, "street_width_m"),
        (2.0, 1.0, 27.0, 0.0, "clutter_height_m"),
    ],
)
def test_terminal_correction_refuses_outside_its_range(
    f_ghz: float, h_m: float, w_m: float, r_m: float, word: str
) -> None:
    with pytest.raises(ModelRangeError, match=word):
        p2108_terminal_loss_db(
            f_ghz * 1000.0, h_m, "suburban", street_width_m=w_m, clutter_height_m=r_m
        )


@pytest.mark.parametrize(
    ("f_ghz", "d_km", "percent", "word"),
    [
        (0.24, 2.0, 50.0, "0.5..67"),
        (67.1, 5.0, 50.0, "0.5..67"),
        (10.0, 0.24, 50.0, "0.25"),
        (6.0, 3.0, 0.0, "percent"),
        (6.0, 3.0, 100.0, "percent"),
    ],
)
def test_statistical_loss_refuses_outside_its_range(
    f_ghz: float, d_km: float, percent: float, word: str
) -> None:
    with pytest.raises(ModelRangeError, match=word):
        p2108_statistical_loss_db(f_ghz * 1000.0, d_km, percent)


def test_an_unknown_clutter_type_is_named() -> None:
    with pytest.raises(InputError, match="trees_forest"):
        p2108_terminal_loss_db(900, 1.5, "jungle")
