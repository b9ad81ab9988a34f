"""Several columns of one file for one field: read the one with values, refuse disagreement.

A file may carry a field twice: whitespot's own empty ``survey_signal`` written by
:func:`~whitespot.data.validate_villages` beside a department's filled ``has_signal``, or
``households`` beside ``Số hộ``. The column read first (the user's ``columns``, then the
canonical name, then an alias in the order of
:data:`~whitespot.data._schema.COLUMN_ALIASES`) keeps its values; its empty cells take the
values of the other columns (said in a :class:`~whitespot.data.DuplicateColumnWarning`);
where two columns both have a value and the values differ once read (``có`` and ``yes``,
``45204`` and ``Viettel``, ``Thôn A`` and ``THÔN A`` agree), the layer is refused, naming
both columns and the rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from whitespot.data._labels import counted
from whitespot.data._problems import DuplicateColumnWarning, Problem, format_ids
from whitespot.data._schema import ColumnSpec

SET_ASIDE = "\x00"
"""Prefix of a column set aside because the user's ``columns`` named another for its field."""

Reader = Callable[[ColumnSpec, pd.Series], pd.Series]
"""Reads a raw column as the layer's validation does (its canonical values)."""


def merge_same_field(
    gdf: gpd.GeoDataFrame,
    others: Mapping[str, Sequence[object]],
    specs: Mapping[str, ColumnSpec],
    headers: Mapping[object, str],
    *,
    read: Reader,
    label: str,
    ids: np.ndarray,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Fill each field's empty cells from its other columns; find where they disagree.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer with each field's first column under the field's name.
    others : mapping of field -> columns
        The other columns of `gdf` that name the same field, in order of preference.
    specs : mapping of field -> ColumnSpec
        How each field is read.
    headers : mapping of column -> str
        The file's header of each column, for messages.
    read : callable
        ``read(spec, raw)``: the column's values as the validation reads them.
    label : str
        The layer, for messages.
    ids : numpy.ndarray
        Row labels for messages.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        The field's column filled; the other columns that filled it are dropped (their
        values are in the field), the others kept as they were.
    problems : list of Problem
        One per pair of columns that disagree, naming the rows.
    """
    problems, dropped = [], []
    for name, columns in others.items():
        kept = gdf[name].reset_index(drop=True).astype(object)
        changed = False
        kept_filled = _filled(kept)
        kept_read = _comparable(read(specs[name], kept), kept)
        for column in columns:
            raw = gdf[column].reset_index(drop=True).astype(object)
            filled = _filled(raw)
            header, first = headers.get(column, str(column)), headers.get(name, name)
            differ = kept_filled & filled & (_comparable(read(specs[name], raw), raw) != kept_read)
            if differ.any():
                problems.append(
                    Problem(
                        label,
                        name,
                        "columns_disagree",
                        f"columns '{first}' and '{header}' both give {name} and disagree; "
                        f"keep one, or name the one to read with --columns {name}=HEADER",
                        tuple(ids[differ]),
                    )
                )
                continue
            fill = filled & ~kept_filled
            if fill.any():
                warnings.warn(
                    f"{label}: columns '{first}' and '{header}' both give {name}; "
                    f"'{first}' is empty in {counted(int(fill.sum()), 'row')} "
                    f"({format_ids(ids[fill])}) where '{header}' has values: read from "
                    f"'{header}'",
                    DuplicateColumnWarning,
                    stacklevel=3,
                )
                kept = kept.where(~fill, raw)
                kept_filled |= fill
                kept_read = _comparable(read(specs[name], kept), kept)
                dropped.append(column)
                changed = True
            elif str(column).startswith(SET_ASIDE):
                dropped.append(column)
        if changed:
            gdf = gdf.assign(**{name: kept.to_numpy()})
    return (gdf.drop(columns=dropped) if dropped else gdf), problems


def _filled(raw: pd.Series) -> np.ndarray:
    """Cells holding something: not missing, not only spaces."""
    text = raw.astype("string").str.strip()
    return (text.notna() & (text != "")).to_numpy(dtype=bool)


def _comparable(values: pd.Series, raw: pd.Series) -> np.ndarray:
    """Values as read, as text in any case; a cell that cannot be read keeps its raw text."""
    read = pd.Series(values).reset_index(drop=True).astype("string").str.casefold()
    fallback = "raw:" + raw.astype("string").str.strip().str.casefold().fillna("")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read.fillna(fallback).to_numpy(dtype=object)
