"""Fitting exponential growth to dated values: log10 of the value against the
date in decimal years, by ordinary least squares (with the slope's Student-t
interval) or by Theil-Sen (the median of pairwise slopes, robust to outliers,
with its rank-based interval). scipy supplies the t quantile and Theil-Sen."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special

from derive.engine.summary import Fit
from derive.errors import ModelError


def fit(xs: Sequence[float], values: Sequence[float], method: str = "ols",
        level: float = 0.9) -> Fit:
    """Fit log10(values) against xs. Values must be positive; at least three
    points on at least two dates are needed for an interval."""
    x = np.asarray(xs, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(x) != len(v):
        raise ValueError("xs and values differ in length")
    if np.any(v <= 0):
        raise ModelError("a log-linear trend needs positive values")
    n = len(x)
    if n < 3 or np.ptp(x) == 0:
        raise ModelError(
            f"a trend needs at least 3 points on at least 2 dates, and the selection has {n}"
        )
    y = np.log10(v)
    x_mean = float(x.mean())
    xc = x - x_mean
    sxx = float(xc @ xc)
    if method == "ols":
        slope = float(xc @ (y - y.mean())) / sxx
        intercept = float(y.mean())
        residuals = y - (intercept + slope * xc)
        s2 = float(residuals @ residuals) / (n - 2)
        half = float(special.stdtrit(n - 2, 0.5 + level / 2)) * math.sqrt(s2 / sxx)
        low, high = slope - half, slope + half
    elif method == "theil-sen":
        # Imported here, not at the top: scipy.stats takes half a second to
        # import, and every audit and compile imports this module for OLS.
        from scipy import stats

        result = stats.theilslopes(y, x, alpha=level)
        slope, low, high = float(result[0]), float(result[2]), float(result[3])
        intercept = float(np.median(y - slope * xc))
        residuals = y - (intercept + slope * xc)
    else:
        raise ModelError(f"unknown fit {method!r}; use 'ols' or 'theil-sen'")
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(residuals @ residuals) / total if total > 0 else 1.0
    return Fit(method, n, slope, low, high, intercept, x_mean, r2, float(x.min()),
               float(x.max()), level)
