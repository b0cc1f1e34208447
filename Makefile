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

.PHONY: help setup run shell actions test test-fast ingest model embedding-model index eval calibrate bench lock-app lock-rasa clean

help:
	@echo "make run    - set up everything missing, then start the bot (Rasa :5005, actions :5055)"
	@echo "make test   - set up everything missing, then run the whole test suite"
	@echo "make shell  - chat with the bot in the terminal (BOT_DEBUG=1: with answer metadata)"
	@echo "make eval   - evaluate intent-only / retrieval-only / hybrid on eval/test.yml"
	@echo "make bench  - retrieval latency, REST turn latency per configuration, 20-user load test"

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

embedding-model: | $(APP_VENV)/.installed
	$(APP_PY) -m bot build-model

index: embedding-model data/faq.yml
	$(APP_PY) -m bot build-index

setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed data/faq.yml $(MODEL) index

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

lock-app: $(APP_VENV)/.installed
	$(APP_VENV)/bin/pip freeze --exclude-editable | grep -v -i -E '^(rasa-sdk|rasa_sdk)==' > requirements/app.lock

lock-rasa: $(RASA_VENV)/.installed
	$(RASA_VENV)/bin/pip freeze --exclude-editable > requirements/rasa.lock

clean:
	rm -rf models .cache/index
