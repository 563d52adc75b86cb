"""The corpus (files/corpus, see its PROVENANCE) converted by the role with takeover: in_place.

Runs after test_audit.py and test_corpus.py (file order), which check the corpus as published:
corpus_in_place.yml records every listed URL's answer, lets the role refuse the apps it cannot
take (the messages name the field and file:line, and /etc/apache2 stays as it was), converts the
others in one run, and asserts that every URL answers as before (status, Location, static body),
each converted app from its own daemon group, and that wsgi_facts finds none of them embedded.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
from modwsgi_testinfra import playbook  # noqa: E402  pylint: disable=wrong-import-position


def test_corpus_converts_in_place(host):
    groups = host.ansible.get_variables()['group_names']
    if 'mpm_event' not in groups or 'el9' in groups:
        pytest.skip('the corpus is loaded on the Debian event host')
    playbook('audit', 'corpus_in_place.yml', '--limit', host.backend.host)
