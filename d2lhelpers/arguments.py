"""Checking arguments: numbers given in any numeric type, and values shown briefly in messages.

Shared by ``data`` (batch sizes, download timeouts), ``training`` and ``distributed``. It
imports only numpy, so the data helpers can use it without importing MXNet.
"""
import decimal
import math
import numbers
import operator

import numpy as np


def whole_number(value):
    """``value`` as an int if it is integral (int, numpy integers, any ``__index__``), else None.

    Booleans are not numbers of things here, so ``True`` and ``np.True_`` give None.
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def real_number(value):
    """``value`` as a float if it is a real number (int, float, numpy, Fraction, Decimal).

    None if it is not one; booleans are not numbers here. A number too large for a float
    gives +-inf, and a signalling Decimal NaN gives nan, so callers compare floats and never
    overflow.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real,
                                                                     decimal.Decimal)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except ValueError:  # Decimal('sNaN')
        return math.nan


def short_repr(value, limit=40):
    """``repr(value)``, or for a huge int (10**400) its number of digits, to keep messages short."""
    text = repr(value)
    if len(text) <= limit:
        return text
    digits = len(str(abs(value))) if isinstance(value, numbers.Integral) else None
    return f'an int of {digits} digits' if digits else text[:limit] + '...'


MAX_SECONDS = 86400  # a day: more is a mistake, and sockets overflow near 1e10 s


def positive_seconds(name, value, error=ValueError):
    """``value`` as a float number of seconds in (0, MAX_SECONDS], else ``error`` naming ``name``.

    Any real number type is taken (a Decimal or Fraction too); 10**400 becomes inf, refused.
    """
    number = real_number(value)
    if number is None or math.isnan(number) or number <= 0:
        raise error(f'{name} must be a positive number of seconds, got {short_repr(value)}.')
    if number > MAX_SECONDS:
        raise error(f'{name} must be at most {MAX_SECONDS} seconds (a day), '
                    f'got {short_repr(value)}.')
    return number
