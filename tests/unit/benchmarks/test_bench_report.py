# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/report.py: the report rendered from results, on a published run's own data."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from bench import report, targets


def test_results_table_is_the_published_one(published):
    # The medians of the published runs give back the table that run wrote, ratios included.
    table = report.results_table(published['summary'])
    assert '\n' + table + '\n' in published['text']
    warm = [line for line in table.splitlines() if line.startswith('| 2 |')]
    assert warm[0].endswith('| 1.00x | 1.00x | 1.00x |')


def test_targets_table_is_the_published_one(published):
    table = report.targets_table(targets.evaluate_targets(published['summary']))
    assert '\n' + table + '\n' in published['text']


def test_earlier_run_read_from_a_published_report(published):
    assert report.earlier_run(published['text'], 'docs/benchmarks.md') == {
        'source': 'docs/benchmarks.md', 'written': '2026-12-02 14:54', 'fresh_s': 19.6, 'image_s': 7.7}


def test_earlier_run_of_a_report_without_a_fresh_host(published):
    text = '\n'.join(line for line in published['text'].splitlines()
                     if not line.startswith('| first role run'))
    assert report.earlier_run(text, 'docs/benchmarks.md') is None
