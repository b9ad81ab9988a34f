"""Progress between two submissions: which gaps were closed, which are still open, which are new.

A department sends the ministry a gap list every round and reports the progress: "2,233 of
2,853 locations now covered, 620 left". Villages of the two lists are matched by id, else
by normalised name within the commune, else by location; ids typed anew between rounds
therefore do not break the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.coverage import GapList
from whitespot.data import metric_crs
from whitespot.data._cells import normalize_text
from whitespot.data._crs import projected_xy
from whitespot.data._labels import Language
from whitespot.data._vocabulary import BEYOND_MODEL_RANGE, LOCATION_UNKNOWN
from whitespot.data._words import words

GapKind = Literal["any", "signal", "power"]


PROGRESS_SUMMARY_COLUMNS = (
    "previous_gaps",
    "closed",
    "still_open",
    "reopened",
    "newly_found",
    "not_in_current",
    LOCATION_UNKNOWN,
    BEYOND_MODEL_RANGE,
    "current_gaps",
    "households_changed",
    "previous_households_without_signal",
    "households_without_signal",
)


@dataclass(frozen=True)
class Progress:
    """The comparison of a previous and a current gap list.

    Attributes
    ----------
    villages : pandas.DataFrame
        One row per current village (in its order) and then one per previous village not
        found in the current list: ids and names on both sides, ``match`` (one of
        :data:`MATCH_METHODS`), gap types and households before and now, the change in
        households, and ``progress_status`` (:data:`PROGRESS_STATUSES`).
    communes, provinces : pandas.DataFrame
        Counts per commune and province (:data:`PROGRESS_SUMMARY_COLUMNS`).
    target : int or None
        The number of locations the programme set out to cover, when given.
    """

    villages: pd.DataFrame
    communes: pd.DataFrame
    provinces: pd.DataFrame
    target: int | None = None

    def totals(self) -> dict[str, int]:
        """Return the counts behind the headline.

        ``previous`` and ``current`` gaps, ``closed``, ``new`` (newly found or reopened),
        ``not_judged`` (without a location, or beyond the model's range: neither gaps nor
        covered) and ``covered``: the target less the current gaps and those not judged
        when a target is given, else the closed ones.
        """
        total = self.provinces[list(PROGRESS_SUMMARY_COLUMNS)].sum()
        current, closed = int(total["current_gaps"]), int(total["closed"])
        not_judged = int(total[LOCATION_UNKNOWN] + total[BEYOND_MODEL_RANGE])
        return {
            "previous": int(total["previous_gaps"]),
            "current": current,
            "closed": closed,
            "new": int(total["newly_found"] + total["reopened"]),
            "not_judged": not_judged,
            "covered": max(self.target - current - not_judged, 0) if self.target else closed,
        }

    def headline(self, language: Language = "en") -> str:
        """Return the sentence a department reports ("N of M locations now covered, K left").

        Parameters
        ----------
        language : {"en", "vi"}, default "en"
            The language of the sentence.

        Returns
        -------
        str
        """
        return words(language).progress_headline(self.totals(), self.target)


def is_gap(gap_type: pd.Series, kind: GapKind = "any") -> np.ndarray:
    """Whether each gap type counts as a gap: any gap, signal gaps only, or power gaps only."""
    wanted = {
        "any": ("no_signal", "no_power", "no_signal_no_power"),
        "signal": ("no_signal", "no_signal_no_power"),
        "power": ("no_power", "no_signal_no_power"),
    }[kind]
    return gap_type.astype("string").isin(wanted).fillna(False).to_numpy()


def compare_gap_lists(
    previous: GapList,
    current: GapList,
    *,
    match_distance_m: float = 300.0,
    kind: GapKind = "any",
    target: int | None = None,
) -> Progress:
    """Compare a previous gap list with the current one.

    Parameters
    ----------
    previous, current : GapList
        The two submissions (:func:`gap_list` or :func:`read_gap_list`).
    match_distance_m : float, default 300
        Villages not matched by id or name are matched to the nearest unmatched village of
        the other list within this distance (m), both ways nearest.
    kind : {"any", "signal", "power"}, default "any"
        Which gaps count: any, only no signal, only no power.
    target : int, optional
        Locations the programme set out to cover, for the share in the headline.

    Returns
    -------
    Progress
    """
    if target is not None and target <= 0:
        raise InputError(f"target={target} must be a positive number of locations")
    before = _table(previous.villages)
    now = _table(current.villages)
    partner, method = _match(before, now, match_distance_m)
    villages = _statuses(before, now, partner, method, kind)
    keys = ["province_code", "commune_code"]
    return Progress(
        villages, _summary(villages, keys), _summary(villages, ["province_code"]), target
    )


def _table(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            column: villages[column].astype("string").fillna("").to_numpy()
            if column in villages
            else ""
            for column in ("village_id", "name", "province_code", "commune_code", "commune_name")
        }
    )
    generated = villages.get("id_generated", pd.Series(False, index=villages.index))
    out["real_id"] = ~generated.astype(str).str.lower().isin(["true", "1", "1.0"]).to_numpy()
    place = out["commune_code"].where(
        out["commune_code"] != "",
        villages.get("old_commune", pd.Series("", index=villages.index))
        .astype("string")
        .fillna("")
        .map(normalize_text)
        .to_numpy(),
    )
    out["name_key"] = place + "|" + out["name"].map(normalize_text)
    out["gap_type"] = villages["gap_type"].astype("string").fillna("").to_numpy()
    out["signal_status"] = (
        villages.get("signal_status", pd.Series("", index=villages.index))
        .astype("string")
        .fillna("")
        .to_numpy()
    )
    out["households"] = pd.to_numeric(villages["households"], errors="coerce").to_numpy()
    out["households_without_signal"] = pd.to_numeric(
        villages["households_without_signal"], errors="coerce"
    ).to_numpy()
    located = villages.geometry.notna() & ~villages.geometry.is_empty
    xy = np.full((len(villages), 2), np.nan)
    if located.any():
        xy[located.to_numpy()] = projected_xy(villages[located], metric_crs(villages[located]))
    out["x"], out["y"] = xy[:, 0], xy[:, 1]
    return out


def _match(
    before: pd.DataFrame, now: pd.DataFrame, distance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index into `before` of each current village's match (-1 if none), and how."""
    partner = np.full(len(now), -1, dtype=np.int64)
    method = np.full(len(now), "none", dtype=object)
    taken = np.zeros(len(before), dtype=bool)

    def assign(now_rows: np.ndarray, before_rows: np.ndarray, how: str) -> None:
        partner[now_rows], method[now_rows] = before_rows, how
        taken[before_rows] = True

    # by id, where both lists carry real ids
    ids_before = pd.Series(np.arange(len(before)), index=before["village_id"])[
        before["real_id"].to_numpy()
    ]
    ids_before = ids_before[~ids_before.index.duplicated(keep=False)]
    hit = now["village_id"].map(ids_before).to_numpy(dtype=float)
    usable = np.isfinite(hit) & now["real_id"].to_numpy()
    assign(np.flatnonzero(usable), hit[usable].astype(np.int64), "id")

    # by normalised name in the commune, where the name is unique on both sides
    free_before = before[~taken]
    unique_before = free_before[~free_before["name_key"].duplicated(keep=False)]
    lookup = pd.Series(unique_before.index.to_numpy(), index=unique_before["name_key"])
    free_now = (partner < 0) & ~now["name_key"].duplicated(keep=False).to_numpy()
    free_now &= ~now["name_key"].str.endswith("|").to_numpy()
    hit = now["name_key"].map(lookup).to_numpy(dtype=float)
    usable = free_now & np.isfinite(hit)
    assign(np.flatnonzero(usable), hit[usable].astype(np.int64), "name")

    # by location: mutual nearest unmatched villages within the distance
    left = np.flatnonzero((partner < 0) & np.isfinite(now["x"].to_numpy()))
    right = np.flatnonzero(~taken & np.isfinite(before["x"].to_numpy()))
    if len(left) and len(right):
        now_xy = now[["x", "y"]].to_numpy()[left]
        before_xy = before[["x", "y"]].to_numpy()[right]
        distance, nearest = cKDTree(before_xy).query(now_xy, distance_upper_bound=distance_m)
        back = cKDTree(now_xy).query(before_xy)[1]
        found = np.isfinite(distance)
        mutual = found.copy()
        mutual[found] = back[nearest[found]] == np.flatnonzero(found)
        assign(left[mutual], right[nearest[mutual]], "location")

    # what is left are identical rows (repeated names, same place, no name, no location):
    # the k-th of them in one list is the k-th in the other
    left, right = np.flatnonzero(partner < 0), np.flatnonzero(~taken)
    pairs = pd.merge(
        _occurrences(_row_key(now)[left], left),
        _occurrences(_row_key(before)[right], right),
        on=["key", "occurrence"],
        suffixes=("_now", "_before"),
    )
    assign(pairs["row_now"].to_numpy(), pairs["row_before"].to_numpy(), "same_row")
    return partner, method


def _row_key(table: pd.DataFrame) -> np.ndarray:
    """Name, commune, place to the metre and households of each row, as one text."""
    parts = [table["name_key"]]
    parts += [
        pd.Series(np.round(table[c].to_numpy(dtype=float), 0)).astype("string").fillna("")
        for c in ("x", "y", "households")
    ]
    key = parts[0].reset_index(drop=True)
    for part in parts[1:]:
        key = key + "|" + part.reset_index(drop=True)
    return key.to_numpy(dtype=object)


def _occurrences(keys: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"key": keys, "row": rows})
    frame["occurrence"] = frame.groupby("key").cumcount()
    return frame


def _statuses(
    before: pd.DataFrame,
    now: pd.DataFrame,
    partner: np.ndarray,
    method: np.ndarray,
    kind: GapKind,
) -> pd.DataFrame:
    matched = partner >= 0
    was = np.zeros(len(now), dtype=bool)
    gap_before = is_gap(before["gap_type"], kind)
    was[matched] = gap_before[partner[matched]]
    gap_now = is_gap(now["gap_type"], kind)
    unknown = (now["gap_type"] == LOCATION_UNKNOWN).to_numpy()
    # its signal not judged now: neither closed nor still open (its power still counts)
    beyond = (now["signal_status"] == BEYOND_MODEL_RANGE).to_numpy() & ~gap_now
    status = np.select(
        [
            unknown,
            beyond & (kind != "power"),
            matched & was & ~gap_now,
            matched & was & gap_now,
            matched & ~was & gap_now,
            ~matched & gap_now,
            matched,
        ],
        [
            "location_unknown",
            BEYOND_MODEL_RANGE,
            "closed",
            "still_open",
            "reopened",
            "newly_found",
            "covered",
        ],
        "added_covered",
    )

    def previous(column: str, fill: object) -> np.ndarray:
        values = np.full(len(now), fill, dtype=object)
        values[matched] = before[column].to_numpy()[partner[matched]]
        return values

    current = pd.DataFrame(
        {
            "village_id": now["village_id"],
            "previous_village_id": previous("village_id", ""),
            "name": now["name"],
            "province_code": now["province_code"],
            "commune_code": now["commune_code"],
            "commune_name": now["commune_name"],
            "match": method,
            "previous_gap_type": previous("gap_type", ""),
            "gap_type": now["gap_type"],
            "was_gap": was & matched,
            "is_gap": gap_now,
            "previous_households": pd.array(previous("households", np.nan), dtype="Float64"),
            "households": now["households"],
            "previous_households_without_signal": pd.array(
                previous("households_without_signal", np.nan), dtype="Float64"
            ),
            "households_without_signal": now["households_without_signal"],
            "progress_status": status,
        }
    )
    current["households_change"] = current["households"] - current["previous_households"]
    gone = np.setdiff1d(np.arange(len(before)), partner[matched])
    old = before.iloc[gone]
    dropped = pd.DataFrame(
        {
            "village_id": "",
            "previous_village_id": old["village_id"].to_numpy(),
            "name": old["name"].to_numpy(),
            "province_code": old["province_code"].to_numpy(),
            "commune_code": old["commune_code"].to_numpy(),
            "commune_name": old["commune_name"].to_numpy(),
            "match": "none",
            "previous_gap_type": old["gap_type"].to_numpy(),
            "gap_type": "",
            "was_gap": gap_before[gone],
            "is_gap": False,
            "previous_households": old["households"].to_numpy(),
            "households": np.nan,
            "previous_households_without_signal": old["households_without_signal"].to_numpy(),
            "households_without_signal": np.nan,
            "progress_status": "not_in_current",
        }
    )
    dropped["households_change"] = np.nan
    return pd.concat([current, dropped], ignore_index=True)


def _summary(villages: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    status = villages["progress_status"]
    parts = pd.DataFrame(
        {
            **{column: villages[column].fillna("") for column in by},
            "previous_gaps": villages["was_gap"].astype(int),
            **{s: (status == s).astype(int) for s in PROGRESS_SUMMARY_COLUMNS[1:8]},
            "current_gaps": villages["is_gap"].astype(int),
            "households_changed": (
                pd.to_numeric(villages["households_change"]).fillna(0) != 0
            ).astype(int),
            "previous_households_without_signal": pd.to_numeric(
                villages["previous_households_without_signal"]
            ).fillna(0),
            "households_without_signal": pd.to_numeric(
                villages["households_without_signal"]
            ).fillna(0),
        }
    )
    out = parts.groupby(by, sort=True, as_index=False)[list(PROGRESS_SUMMARY_COLUMNS)].sum()
    for column in PROGRESS_SUMMARY_COLUMNS:
        out[column] = out[column].astype(np.int64)
    return out
