"""Reading J. E. Beasley's OR-Library set-covering instances."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from whitespot._errors import InputError


def read_orlib_scp(path: str | PathLike) -> tuple[csr_matrix, np.ndarray]:
    """Read an OR-Library set-covering file (``scp41.txt`` ...).

    Format: ``m n``; the n column costs; then for each of the m rows the number of columns
    covering it followed by those columns (1-based), all separated by white space.

    Parameters
    ----------
    path : path-like
        An OR-Library ``scp*.txt`` file.

    Returns
    -------
    cover : scipy.sparse.csr_matrix of bool, shape (n, m)
        ``cover[j, i]`` is True when column (site) j covers row (demand) i.
    cost : numpy.ndarray, shape (n,)
        Column costs.

    References
    ----------
    J. E. Beasley, "OR-Library: distributing test problems by electronic mail", Journal of
    the Operational Research Society 41 (1990) 1069-1072.
    """
    numbers = np.array(Path(path).read_text().split(), dtype=np.int64)
    m, n = int(numbers[0]), int(numbers[1])
    cost = numbers[2 : 2 + n].astype(float)
    position = 2 + n
    rows, columns = [], []
    for row in range(m):  # the file's row records, not households: m is a few hundred
        count = int(numbers[position])
        columns.append(numbers[position + 1 : position + 1 + count] - 1)
        rows.append(np.full(count, row))
        position += 1 + count
    if position != len(numbers):
        raise InputError(
            f"{Path(path).name}: {len(numbers) - position} numbers left after {m} rows"
        )
    row_index, column_index = np.concatenate(rows), np.concatenate(columns)
    cover = csr_matrix(
        (np.ones(len(row_index), dtype=bool), (column_index, row_index)), shape=(n, m)
    )
    return cover, cost
