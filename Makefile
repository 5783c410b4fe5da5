# 村法助手 Cunfa. `make run` and `make test` are all a newcomer needs.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help setup run run-scaled test test-fast train index risk-model matter-model lint bench bench-chat bench-risk eval eval-nlu

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

setup: ## create .venv (Python 3.10) and install the locked dependencies with uv
	@bash scripts/setup.sh

run: setup ## install, build the index and train the bot when their inputs changed, start everything
	$(BIN)/cunfa run

run-scaled: setup ## 2 Rasa + 2 action servers behind the gateway on PostgreSQL and Redis (docs/deployment.md)
	bash scripts/run_scaled.sh

test: setup ## run every test, the end-to-end ones with the real Rasa and action server included
	$(BIN)/python -m pytest

test-fast: setup ## run the tests that do not start Rasa
	$(BIN)/python -m pytest -m "not integration"

train: setup ## train the Rasa model if bot/ or config.yml changed
	$(BIN)/cunfa train

index: setup ## build the knowledge index if its inputs changed
	$(BIN)/cunfa index build

risk-model: setup ## refit the risk engine's model (triage/risk_model.json) from data/risk/train/
	$(BIN)/cunfa risk train

matter-model: setup ## check the matter guides (data/guides/) and refit the matter model from them
	$(BIN)/cunfa guides check && $(BIN)/cunfa guides fit

lint: setup ## ruff check, ruff format --check, and mypy on knowledge, cases, triage and notify
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy knowledge cases triage notify

bench: setup ## knowledge-base speed: query latency (hybrid vs BM25), index build, village update, memory
	$(BIN)/python bench/bench_search.py

bench-chat: setup ## chat p50/p95 and turns/s at 1/10/50 residents vs bare Rasa; assist, search, start-up, memory
	$(BIN)/python bench/bench_chat.py --json results/bench_chat.json

bench-risk: setup ## the risk engine on the held-out danger messages and conversations, against main in the same run
	$(BIN)/python bench/risk_engine.py --batch heldout-1

eval: setup ## retrieval quality on the held-out split: BM25, dense, RRF and hybrid side by side
	$(BIN)/cunfa eval retrieval

eval-nlu: setup ## intent macro-F1 and dispute-type accuracy on the held-out NLU test file
	$(BIN)/cunfa eval nlu
