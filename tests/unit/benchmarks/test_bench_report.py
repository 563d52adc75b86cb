# -*- coding: utf-8 -*-
"""Unit tests of benchmarks/bench/report.py: the report rendered from results, on a published report and a smoke run's saved results."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import json
import os

import pytest

from bench import measurement, report, targets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


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


def test_a_smoke_run_s_printed_report_from_its_results(captured):
    # What the smoke run printed, rendered again from the results it saved (a JSON round trip:
    # the slowest tasks come back as lists, not tuples).
    results = json.loads(captured('smoke-results.json'))
    printed = captured('smoke-stdout.txt')
    assert '\n'.join(report.blocks(results)) in printed


def test_a_document_from_a_smoke_run_s_results(captured, every_run):
    results = json.loads(captured('smoke-results.json'))
    text = report.document(results, 'benchmarks.png')
    assert text.startswith('# Benchmarks: daemon mode against the alternatives\n')
    assert 'on %s UTC, in %.0f s.' % (results['written'], results['elapsed']) in text
    assert '![memory and req/s per configuration](benchmarks.png)' in text
    every = every_run(text)
    assert sorted(every) == sorted(results['runs'])
    assert every['role'][0] == {metric: results['runs']['role'][0][metric] for metric in measurement.METRICS}


def test_the_first_runs_read_back_from_a_document(captured):
    # A smoke run has no fresh host: its bench-image runs stand in for one here.
    results = json.loads(captured('smoke-results.json'))
    results['auto']['fresh'] = copy.deepcopy(results['auto']['idempotent'])
    first_s = results['auto']['idempotent']['first_s']
    earlier = {'source': 'docs/benchmarks.md', 'written': '2026-12-02 14:54', 'fresh_s': 19.6, 'image_s': 7.7}
    text = report.document(results, 'benchmarks.png', earlier)
    assert ('| first role run: fresh host (installs Apache + mod_wsgi) vs the bench image (the previous '
            'run, 2026-12-02 14:54 UTC in docs/benchmarks.md: 19.6 s vs 7.7 s; not judged) |') in text
    assert report.earlier_run(text, 'docs/benchmarks.md') == {
        'source': 'docs/benchmarks.md', 'written': results['written'],
        'fresh_s': round(first_s, 1), 'image_s': round(first_s, 1)}
    assert '(not judged) |' in report.document(results, 'benchmarks.png')


def test_the_sizing_section_replaces_only_its_part():
    text = 'intro\n%s\nold part\n%s\n\n## Next\n' % (report.SIZING_BEGIN, report.SIZING_END)
    assert report.replace_section(text, 'new part\n') == 'intro\n%s\nnew part\n%s\n\n## Next\n' % (
        report.SIZING_BEGIN, report.SIZING_END)


@pytest.mark.parametrize('text', ['no markers\n', '%s\n' % report.SIZING_BEGIN,
                                  '%s\n%s\n' % (report.SIZING_END, report.SIZING_BEGIN)])
def test_the_sizing_section_needs_its_markers(text):
    with pytest.raises(ValueError, match='no single'):
        report.replace_section(text, 'new part\n')


def test_docs_sizing_has_the_sections_markers():
    with open(os.path.join(ROOT, 'docs', 'sizing.md')) as handle:
        text = handle.read()
    assert report.replace_section(text, 'x\n').count(report.SIZING_BEGIN) == 1


def test_the_sizing_section_of_a_smoke_run(captured):
    results = json.loads(captured('sizing-smoke-results.json'))
    text = report.sizing_section(results)
    assert text.startswith('### Summary\n')
    assert '| cpu | 2 x 6 | 2 x 2 | 0.79 PASS | 2.209x PASS | 0.005x PASS |' in text
    assert '**smoke run: a small grid and short runs; nothing is judged**' in text
    assert '1-minute load average 6.18 at the start and 10.52 at the end: **the machine was not quiet**' in text
    assert '| 2 | **973 ms, 0.0 MB, 64/s** | 953 ms, 0.0 MB, 71/s |' in text
    assert 'Tied on p99 with the lowest: 2 x 2, 2 x 8.' in text


def test_a_missed_sizing_target_says_by_how_much(captured):
    results = json.loads(captured('sizing-smoke-results.json'))
    row = results['apps']['io']['targets'][1]
    row.update(value=0.93, status=targets.judge(0.93, row['op'], row['goal']))
    text = report.sizing_section(results)
    assert '| role at the recommended size vs warm trap: req/s | 0.930x | >= 1.00x | MISS by 0.070x |' in text
    assert '| io | 2 x 30 | 2 x 8 | 0.95 PASS | 0.930x MISS by 0.070x | 0.005x PASS |' in text
