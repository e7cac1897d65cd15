"""Vectorised helpers on CSR-like (counts, values) lists."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

I64 = np.int64


def _cumsum0(a: NDArray[Any]) -> NDArray[Any]:
    out = np.zeros(len(a) + 1, dtype=I64)
    np.cumsum(a, out=out[1:])
    return out


def _cross(
    cnt_a: NDArray[Any], val_a: NDArray[Any], cnt_b: NDArray[Any], val_b: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Per-row Cartesian product of two CSR lists (values pre-scaled, combined by ``+``)."""
    cnt = cnt_a * cnt_b
    m = len(cnt)
    start_a, start_b, start = _cumsum0(cnt_a), _cumsum0(cnt_b), _cumsum0(cnt)
    row = np.repeat(np.arange(m, dtype=I64), cnt)
    local = np.arange(int(start[-1]), dtype=I64) - start[row]
    cb = cnt_b[row]
    return cnt, val_a[start_a[row] + local // cb] + val_b[start_b[row] + local % cb]


def _rows_csr(mask: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """CSR (counts, column indices) of a boolean matrix, row-major."""
    rows, cols = np.nonzero(mask)
    return np.bincount(rows, minlength=mask.shape[0]).astype(I64), cols.astype(I64)


def lang_matrix(languages: NDArray[Any]) -> NDArray[Any]:
    """(n, 64) boolean matrix of language bits."""
    b = np.unpackbits(
        np.ascontiguousarray(languages).view(np.uint8).reshape(-1, 8), axis=1, bitorder="little"
    )
    return b.astype(bool)


def avail_matrix(avail: NDArray[Any]) -> NDArray[Any]:
    """(n, 168) boolean matrix of UTC hours-of-week."""
    return np.unpackbits(avail, axis=1, bitorder="little").astype(bool)


def _seg_argmax(score: NDArray[Any], starts: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Per segment (given by ``starts`` of non-empty segments) max value and its position."""
    best = np.maximum.reduceat(score, starts)
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(score))))
    hit = np.flatnonzero(score == best[seg])
    # first hit of each segment
    first = np.full(len(starts), -1, dtype=I64)
    first[seg[hit][::-1]] = hit[::-1]
    return best, first
