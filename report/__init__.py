"""A provincial department's submission, from its own village list to the ministry's package.

:func:`department_submission` reads the list, converts its units, finds the gaps, checks the
data and compares with the previous round (:func:`compare_gap_lists`, by id, name or place);
:func:`write_submission` writes the package. :func:`tender_package` groups a plan's sites and
the gap villages into bid lots with their subsidy ceilings and the prediction's supporting
data; :func:`write_tender` writes the bid package.
"""

from whitespot.report._package import (
    PACKAGE_FILES,
    write_submission,
)
from whitespot.report.pipeline import (
    Submission,
    department_submission,
)
from whitespot.report.progress import (
    Progress,
    compare_gap_lists,
)
from whitespot.report.summary import (
    summary_html,
    write_summary,
)
from whitespot.report.tender import (
    Tender,
    tender_package,
    write_tender,
)

__all__ = [
    "PACKAGE_FILES",
    "Progress",
    "Submission",
    "Tender",
    "compare_gap_lists",
    "department_submission",
    "summary_html",
    "tender_package",
    "write_submission",
    "write_summary",
    "write_tender",
]
