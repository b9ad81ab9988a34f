"""The one-page HTML summary of a submission: headline numbers, communes, a chart, quality.

The page is one self-contained file with no script: it opens offline, prints on one or two
pages, and every text that comes from the department's files is HTML-escaped.
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import pandas as pd

from whitespot.data._io import atomic_path
from whitespot.data._labels import Language, localize, vietnamese_fixes
from whitespot.data._vocabulary import LOCATION_UNKNOWN
from whitespot.data._words import words
from whitespot.report.pipeline import Submission

CHART_COMMUNES = 25
"""Communes shown in the chart (those with the most households without signal)."""

PROBLEMS_SHOWN = 40


def summary_html(submission: Submission, *, language: Language = "vi") -> str:
    """Return the summary page of a submission as one HTML document.

    Parameters
    ----------
    submission : Submission
        From :func:`whitespot.report.department_submission`.
    language : {"vi", "en"}, default "vi"
        Language of the page.

    Returns
    -------
    str
        A complete HTML document (UTF-8), with inline CSS and an inline SVG chart.
    """

    def t(key: str) -> str:
        return html.escape(words(language).SUMMARY[key])

    gaps = submission.gaps
    villages = gaps.villages
    communes = _commune_table(submission, language)
    total = gaps.totals()
    headlines = submission.headlines(language)
    unknown = int((villages["gap_type"] == LOCATION_UNKNOWN).sum())
    province = ", ".join(sorted(set(villages["province_name"].dropna()) - {""})) or ""
    counts = [
        ("villages", len(villages)),
        ("no_signal", total["villages_without_signal"]),
        ("households_no_signal", total["households_without_signal"]),
        ("no_power", total["villages_without_power"]),
        ("households_no_power", total["households_without_power"]),
        ("unknown", unknown),
    ]
    if total["villages_beyond_model_range"]:
        counts.append(("beyond", total["villages_beyond_model_range"]))
    if total["villages_no_evidence"] < total["villages"]:  # a survey or measurements
        counts += [
            ("agrees", total["villages_agrees"]),
            ("survey_contradicts", total["villages_survey_contradicts_prediction"]),
            ("measurements_contradict", total["villages_measurements_contradict_prediction"]),
            ("to_check", total["villages_to_check"]),
        ]
    cards = [(t(key), _number(int(value), language)) for key, value in counts]
    cards.append((t("quality"), f"{submission.quality.points()}/100"))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{language}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{t('title')} — {html.escape(province)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{t('title')}</h1><p class='province'>{html.escape(province)}</p>",
        f"<p class='headline'>{html.escape(headlines[0])}</p>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b><span>{k}</span></div>' for k, v in cards)
        + "</div>",
    ]
    if submission.progress is not None:
        parts += [
            f"<h2>{t('progress')}</h2>",
            f"<p class='progress'>{html.escape(headlines[1])}</p>",
        ]
    parts += [f"<h2>{t('chart')}</h2>", _bar_chart(communes, language)]
    parts += [f"<h2>{t('communes')}</h2>", _html_table(communes, language)]
    parts += [f"<h2>{t('fix')}</h2>", f"<p>{html.escape(headlines[-1])}</p>"]
    parts += [_html_table(localize(submission.quality.layers, language), language)]
    parts += [_problems_table(submission, language), f"<p class='small'>{t('fix_more')}</p>"]
    settings = "; ".join(
        f"{html.escape(str(k))}: {html.escape(str(v))}"
        for k, v in submission.settings.items()
        if k in ("model_description", "admin_code_source", "admin_code_check", "village_list")
    )
    parts += [f"<h2>{t('sources')}</h2><p class='small'>{settings}</p>", "</body></html>"]
    return "\n".join(parts) + "\n"


def write_summary(
    submission: Submission, path: str | PathLike, *, language: Language = "vi"
) -> Path:
    """Write :func:`summary_html` to `path` atomically; return the path.

    Parameters
    ----------
    submission : Submission
        From :func:`department_submission`.
    path : path-like
        The ``.html`` file.
    language : {"vi", "en"}, default "vi"
        Language of the page.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(summary_html(submission, language=language), encoding="utf-8")
    return path


def _commune_table(submission: Submission, language: Language) -> pd.DataFrame:
    villages = submission.gaps.villages
    names = (
        pd.DataFrame(villages[["commune_code", "commune_name"]])
        .drop_duplicates("commune_code")
        .set_index("commune_code")["commune_name"]
    )
    table = submission.gaps.communes.copy()
    table["commune_name"] = table["commune_code"].map(names).fillna("")
    table.loc[table["commune_code"] == "", "commune_name"] = words(language).SUMMARY["unmatched"]
    scores = submission.quality.communes.groupby("commune_code")["score"].min()
    table["score"] = table["commune_code"].map(scores)
    columns = {
        "commune_code": words(language).SUMMARY["code"],
        "commune_name": words(language).SUMMARY["commune"],
        "villages": words(language).SUMMARY["villages"],
        "households": words(language).SUMMARY["households"],
        "villages_without_signal": words(language).SUMMARY["no_signal"],
        "households_without_signal": words(language).SUMMARY["households_no_signal"],
        "villages_without_power": words(language).SUMMARY["no_power"],
        "households_without_power": words(language).SUMMARY["households_no_power"],
        "villages_to_check": words(language).SUMMARY["to_check"],
        "score": words(language).SUMMARY["score"],
    }
    if table["villages_beyond_model_range"].any():
        columns = {**columns, "villages_beyond_model_range": words(language).SUMMARY["beyond"]}
    if submission.progress is not None:
        progress = submission.progress.communes.set_index("commune_code")
        table["closed"] = table["commune_code"].map(progress["closed"]).fillna(0).astype(int)
        table["open"] = table["commune_code"].map(progress["current_gaps"]).fillna(0).astype(int)
        columns |= {
            "closed": words(language).SUMMARY["closed"],
            "open": words(language).SUMMARY["open"],
        }
    return table[list(columns)].rename(columns=columns)


def _html_table(table: pd.DataFrame, language: Language) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, int | float) and not isinstance(value, bool):
                text = "" if pd.isna(value) else _number(value, language)
                cells.append(f'<td class="n">{text}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _number(value: float, language: Language) -> str:
    """Write a count or a score as the page's language does: 1,354 or 1.354; 87.5 or 87,5."""
    decimals = 0 if float(value).is_integer() else 1
    return words(language).number(value, decimals)


def _bar_chart(communes: pd.DataFrame, language: Language) -> str:
    """Horizontal bars of households without signal per commune, as inline SVG."""
    name, value = (
        words(language).SUMMARY["commune"],
        words(language).SUMMARY["households_no_signal"],
    )
    data = communes[[name, value]].sort_values(value, ascending=False, kind="stable")
    data = data[data[value] > 0].head(CHART_COMMUNES)
    if data.empty:
        return "<p>—</p>"
    width, label_width, bar_height = 720, 220, 18
    largest = float(data[value].max())
    rows = []
    for i, (label, count) in enumerate(data.itertuples(index=False)):
        y = i * (bar_height + 4)
        length = (width - label_width - 70) * float(count) / largest
        rows.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
            f"{html.escape(str(label))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 13}">'
            f"{_number(int(count), language)}</text>"
        )
    height = len(data) * (bar_height + 4)
    return (
        f'<svg class="chart" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(value)}">{"".join(rows)}</svg>'
    )


def _problems_table(submission: Submission, language: Language) -> str:
    problems = submission.quality.problems
    shown = problems[problems["severity"] != "info"].head(PROBLEMS_SHOWN)
    fixes = vietnamese_fixes(shown) if language == "vi" else shown
    villages = submission.gaps.villages.drop_duplicates("village_id").set_index("village_id")
    table = pd.DataFrame(
        {
            words(language).SUMMARY["row"]: shown["row"].astype(int).astype(str).to_numpy(),
            "id": shown["village_id"].to_numpy(),
            words(language).SUMMARY["village"]: shown["village_id"]
            .map(villages["name"])
            .fillna("")
            .to_numpy(),
            words(language).SUMMARY["commune"]: shown["commune_name"].to_numpy(),
            words(language).SUMMARY["problem"]: (
                localize(shown[["check"]], language).iloc[:, 0] + ": " + fixes["message"]
            ).to_numpy(),
        }
    )
    return _html_table(table, language)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:24px auto;
max-width:1100px;color:#1d2733;padding:0 16px}
h1{margin:0;font-size:26px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccd6e0}
.province{margin:4px 0 12px;color:#4a5a6a;font-size:16px}
.headline,.progress{font-size:15px;background:#f3f6f9;padding:8px 12px;border-radius:6px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{border:1px solid #ccd6e0;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:24px}.card span{font-size:12px;color:#4a5a6a}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #dde3ea;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#dde6f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.chart text{font-size:12px;fill:#1d2733}.chart rect{fill:#c0392b}
.small{font-size:12px;color:#4a5a6a}
@media print{body{margin:0}h2{break-after:avoid}}
"""
