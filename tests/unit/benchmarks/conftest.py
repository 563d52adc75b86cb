# -*- coding: utf-8 -*-
"""The bench's unit tests: benchmarks/ on sys.path (for its package bench), and their captured fixtures."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), 'benchmarks'))


@pytest.fixture
def captured():
    """captured(name) -> the text of fixtures/name (fixtures/README.md says where it came from)."""
    def read(name):
        with open(os.path.join(HERE, 'fixtures', name)) as handle:
            return handle.read()
    return read


@pytest.fixture
def every_run():
    """every_run(report text) -> the runs of its section "Every run", as the bench took them."""
    def runs(text):
        block = text[text.index('## Every run'):]
        start = block.index('```\n') + 4
        return json.loads(block[start:block.index('\n```', start)])
    return runs


@pytest.fixture
def published(captured, every_run):
    """The report of a full `make bench` run (fixtures/benchmarks-2026-12-02.md): its text, and
    the runs of its section "Every run" with their medians."""
    from bench import measurement  # benchmarks/ is on sys.path from here on

    text = captured('benchmarks-2026-12-02.md')
    runs = every_run(text)
    return {'text': text, 'runs': runs,
            'summary': {key: measurement.medians(value) for key, value in runs.items()}}
