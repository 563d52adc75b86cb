# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/load.py: ab's report parsed, on captured real outputs."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from bench import load


@pytest.mark.parametrize('name, expected', [
    ('ab-trap-smoke.txt', {'complete': 374, 'failed': 0, 'non_2xx': 0, 'rps': 18.50,
                           'seconds': 20.219, 'p50_ms': 1252, 'p99_ms': 4293}),
    ('ab-role-smoke.txt', {'complete': 2000, 'failed': 0, 'non_2xx': 0, 'rps': 708.62,
                           'seconds': 2.822, 'p50_ms': 58, 'p99_ms': 199}),
])
def test_parse_ab(captured, name, expected):
    assert load.parse_ab(captured(name)) == expected


def test_parse_ab_counts_non_2xx(captured):
    parsed = load.parse_ab(captured('ab-404.txt'))
    assert parsed['complete'] == 20
    assert parsed['non_2xx'] == 20


def test_parse_ab_refuses_a_truncated_report(captured):
    text = captured('ab-role-smoke.txt')
    with pytest.raises(ValueError, match='p99_ms'):
        load.parse_ab(text[:text.index('  99%')])
