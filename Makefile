# modwsgi.apache — developer entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV        := $(CURDIR)/.venv
BIN         := $(VENV)/bin
CACHE       := $(CURDIR)/.cache
COLLECTIONS := $(CACHE)/collections
# The collection as Ansible sees it during tests: a link to this checkout.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export CONTAINERS_CONF := $(CURDIR)/tests/images/containers.conf
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

# Molecule scenarios and the distro each one runs on (el9: the EL 9 layout host, httpd built
# from source, tests/images/el9/README.md; it replaces mpm:debian13, mpm_facts:debian11
# and audit:debian13). in_place and concurrency run on Debian 12 only, to keep make test near
# 30 minutes: their logic is the same on 13 (in_place's parsing is unit-tested on the captured
# Debian 11/12/13 trees, and role_el9 converts a site in place on the EL layout).
# The longest runs first: scripts/molecule.sh starts them in this order, each in the first free lane.
# audit:el9 early: on a machine without the EL 9 image its lane builds it first (8-15 minutes).
MOLECULE_RUNS ?= pip_venv:debian12 audit:el9 role_default:debian12 role_default:debian11 role_default:debian13 \
                audit:debian12 in_place:debian12 pip_venv:el9 \
                from_embedded:debian12 mpm:debian12 mpm:el9 php_prefork:debian12 \
                concurrency:debian12 \
                mpm_facts:el9 mpm_facts:debian13 role_el9:el9
# Runs at once (scripts/molecule.sh); each run has its own state directory and containers.
# Most of a run waits on systemd, apt and Apache, so three lanes fit two cores.
export MOLECULE_JOBS ?= 3

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

.PHONY: bootstrap
bootstrap: ## Install apt packages (as root) and the pinned virtualenv
	@scripts/bootstrap.sh
	@mkdir -p $(COLLECTIONS)/ansible_collections/modwsgi
	@# Only when missing or wrong: `make test` runs make jobs while Molecule runs use the link.
	@[ "$$(readlink $(COLLECTIONS)/ansible_collections/modwsgi/apache)" = "$(CURDIR)" ] \
	    || ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/modwsgi/apache

.PHONY: images
images: bootstrap ## Build the local Debian test images (kept when present)
	@echo "==> test images: localhost/modwsgi-test/debian:{11,12,13}"
	@tests/images/build.sh 11 12 13
	@# The EL 9 layout image (el9:9) is built by the first Molecule run on el9, in its lane
	@# (scripts/molecule.sh), or by `make images-el9`.

.PHONY: images-el9
images-el9: images ## Build the EL 9 layout test host: httpd built from source (tests/images/el9/README.md; minutes)
	@echo "==> test images: localhost/modwsgi-test/el9:9 and el9:9-apache"
	@tests/images/build.sh el9

.PHONY: lint
lint: bootstrap ## yamllint and ansible-lint (production profile)
	@echo "==> yamllint"
	@yamllint --strict .
	@echo "==> ansible-lint (profile: production)"
	@ansible-lint --profile production --strict
	@echo "==> antsibull-changelog lint (changelog fragments)"
	@antsibull-changelog lint
	@scripts/docs.sh lint

.PHONY: sanity
# SANITY_ARGS: more ansible-test arguments; make test skips pylint here, which the matrix runs on
# the oldest and the newest ansible-core (every other test runs on every version).
sanity: bootstrap ## ansible-test sanity in an ansible_collections/ tree
	@scripts/sanity.sh $(SANITY_ARGS)

.PHONY: unit
unit: bootstrap ## Unit tests (pytest) on captured real outputs
	@echo "==> unit tests"
	@PYTHONPATH=$(COLLECTIONS) python -m pytest -q -p no:cacheprovider tests/unit

.PHONY: fuzz
fuzz: bootstrap ## The fuzz tests, long: many more mutated inputs than make unit tries (Hypothesis profile fuzz)
	@echo "==> fuzz tests (HYPOTHESIS_PROFILE=fuzz: new inputs each run, failures kept in .cache/hypothesis)"
	@HYPOTHESIS_PROFILE=fuzz PYTHONPATH=$(COLLECTIONS) python -m pytest -q -p no:cacheprovider -m fuzz tests/unit

.PHONY: build-install
build-install: bootstrap ## Build the tarball; galaxy-importer (release check), shipped tests, mpm_facts and audit_merge from the install, ansible-builder create
	@scripts/build_install.sh

# The version matrix: ansible-core from PyPI in nox virtualenvs under ~/.cache/modwsgi/nox (kept
# between runs and shared by every checkout, as ansible-test's own ~/.ansible/test is, so a run
# only installs what changed); the Pythons newer cores need, and 3.6 for the oldest target,
# from pyenv.
NOX_ENVDIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/modwsgi/nox
PYENV_BINS := $(subst $(eval) ,:,$(wildcard $(HOME)/.pyenv/versions/3.*/bin))
MATRIX_SESSIONS ?= sanity-2.16 sanity-2.17 sanity-2.18 sanity-2.20 sanity-2.21 units-2.16 units-2.21

.PHONY: matrix
matrix: bootstrap ## ansible-core version matrix (antsibull-nox): sanity 2.16..2.21, units on the oldest and newest
	@echo "==> ansible-core matrix (noxfile.py): $(MATRIX_SESSIONS)"
	@# On the base branch itself (CI runs main) there is no "changed from main": ansible-test
	@# refuses change detection there ("Current branch is not a feature branch"), so the middle
	@# versions check every file, as the oldest and the newest always do.
	@base=$${MATRIX_BASE_BRANCH:-main}; detect=true; \
	if [ "$$(git rev-parse --abbrev-ref HEAD 2>/dev/null)" = "$$base" ]; then \
	    detect=false; echo "==> on $$base itself: every version checks every file"; fi; \
	PATH="$(CACHE)/nox-venv/bin:$(PYENV_BINS):$$PATH" MODWSGI_NOX_ENVDIR=$(NOX_ENVDIR) \
	    ANTSIBULL_CHANGE_DETECTION=$$detect ANTSIBULL_BASE_BRANCH=$$base \
	    nox --envdir $(NOX_ENVDIR) --reuse-existing-virtualenvs -s $(MATRIX_SESSIONS)

.PHONY: molecule
molecule: images ## Every Molecule scenario on every Debian it targets
	@scripts/molecule.sh $(MOLECULE_RUNS)

.PHONY: bench
bench: images ## Benchmark daemon mode against the alternatives; writes docs/benchmarks.md (~20 min)
	@echo "==> benchmark: daemon mode against the alternatives (benchmarks/README.md)"
	@pip install -q -r benchmarks/requirements.txt
	@python benchmarks/daemon_mode.py

.PHONY: bench-smoke
bench-smoke: images ## The benchmark harness, short: checks it works and each direction, no timings
	@echo "==> benchmark smoke run (one short repetition, directions only)"
	@python benchmarks/daemon_mode.py --smoke
	@python benchmarks/parse_vhosts.py --smoke

.PHONY: bench-sizing
bench-sizing: images ## The sizing rule against a sweep of processes x threads on two apps; writes docs/sizing.md (~20 min, not in make test)
	@echo "==> sizing sweep: the recommendation against the best of processes x threads (benchmarks/README.md)"
	@python benchmarks/sizing_sweep.py $(BENCH_SIZING_ARGS)

.PHONY: test
# Every check is a job in the lanes (scripts/molecule.sh), beside the Molecule runs, which mostly
# wait on containers: the longest first (the version matrix, then the demo and benchmark smoke
# runs, each 4 to 8 minutes under make test's load), and the short checks last, filling the
# lanes as they empty. No make:unit: make:build-install runs the same unit tests from the
# installed tarball on the same Python, and the matrix runs them on 2.16/3.6 and 2.21/3.13.
TEST_JOBS ?= make:matrix make:demo-smoke $(firstword $(MOLECULE_RUNS)) make:bench-smoke \
             $(wordlist 2,$(words $(MOLECULE_RUNS)),$(MOLECULE_RUNS)) \
             make:lint make:sanity make:build-install
test: export SANITY_ARGS = --skip-test pylint
test: bootstrap images ## Everything CI runs
	@scripts/molecule.sh $(TEST_JOBS)
	@echo "==> make test: all green"

.PHONY: docs
docs: bootstrap ## Build the HTML docs site (antsibull-docs + Sphinx) into .cache/docs-site/html
	@scripts/docs.sh

.PHONY: demo
demo: images ## Three demo hosts in a bad state: audit, fix with the role, audit again, before/after table
	@scripts/demo.sh

.PHONY: demo-smoke
# Two of the three hosts: prefork (the trap) and php (mod_php keeps prefork); the third, event
# with an embedded app, differs from the first only in its MPM, and make demo shows it.
demo-smoke: images ## The demo, short (tiny burst, two hosts, removed after), failing unless the story holds
	@DEMO_SHORT=1 DEMO_HOSTS="$${DEMO_HOSTS:-prefork php}" scripts/demo.sh

.PHONY: demo-clean
demo-clean: ## Remove the demo hosts (containers modwsgi-demo-*) and demo/output
	@scripts/demo.sh clean

.PHONY: clean
clean: ## Remove the virtualenv and caches (images are kept)
	rm -rf $(VENV) $(CACHE) tests/output
