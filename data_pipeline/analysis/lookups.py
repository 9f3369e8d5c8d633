"""Small lookups (waves, vocabulary, areas, age bands, population periods) kept per data version.

Owns the memo only. The caller that knows the data version (the app, per published snapshot)
hands in a dict with `kept()`; without one every lookup reads the database, as before. Never
used for anything that depends on a filter or holds personal data.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd

_MEMO: ContextVar[dict | None] = ContextVar("deltagelsesatlas_lookups", default=None)


@contextmanager
def kept(memo: dict) -> Iterator[dict]:
    """Lookups made in this block (this thread) are answered from `memo` after the first read.

    `memo` must belong to one data version: a new snapshot needs a new dict."""
    token = _MEMO.set(memo)
    try:
        yield memo
    finally:
        _MEMO.reset(token)


def per_data_version(function):
    """A lookup `function(con, *args)` remembered by its arguments while a memo is kept; each
    caller gets its own copy, so changing a returned frame or list never changes the memo."""

    @functools.wraps(function)
    def lookup(con, *args, **kwargs):
        memo = _MEMO.get()
        if memo is None:
            return function(con, *args, **kwargs)
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        try:
            value = memo[key]
        except KeyError:
            value = memo[key] = function(con, *args, **kwargs)
        return value.copy() if isinstance(value, pd.DataFrame) else copy.copy(value)

    return lookup
