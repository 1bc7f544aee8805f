# Railyard. `make` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export GOTOOLCHAIN := local

GO           ?= go
BIN          ?= bin
TEST_TIMEOUT ?= 45m
TESTFLAGS    ?=
BENCHTIME    ?= 1x
QUICKSTART   ?= examples/quickstart/run.sh
WORKFLOWCHECK ?= go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
CHAOS_KILLS  ?= 100
CHAOS_PROMOTIONS ?= 100
CHAOS_SEED   ?= 15

.PHONY: help build test run lint bench chaos

help: ## list the targets
	@echo "Railyard make targets (Go toolchain: $$($(GO) env GOVERSION), GOTOOLCHAIN=$(GOTOOLCHAIN)):"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 10
	@echo "Variables: TEST_TIMEOUT=$(TEST_TIMEOUT) TESTFLAGS=$(TESTFLAGS) BENCHTIME=$(BENCHTIME) BIN=$(BIN)"
	@echo "           CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_PROMOTIONS=$(CHAOS_PROMOTIONS) CHAOS_SEED=$(CHAOS_SEED) (make chaos)"

build: ## build bin/railyard-worker and bin/railyard (a cold build takes ~4 min)
	@test -d starter || { echo "build: starter/ does not exist yet; bin/railyard cannot be built" >&2; exit 1; }
	$(GO) build -o $(BIN)/railyard-worker ./worker
	$(GO) build -o $(BIN)/railyard ./starter

test: ## go test ./... with a generous timeout, then a summary line (log in bin/test.log)
	@mkdir -p $(BIN)
	@start=$$(date +%s); status=0; \
	$(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) ./... 2>&1 | tee $(BIN)/test.log || status=$$?; \
	ok=$$(grep -cE '^ok\s' $(BIN)/test.log || true); \
	failed=$$(grep -cE '^FAIL\s' $(BIN)/test.log || true); \
	none=$$(grep -cE '^\?\s' $(BIN)/test.log || true); \
	echo "make test: $$ok packages ok, $$failed failed, $$none without tests, $$(( $$(date +%s) - start ))s (log: $(BIN)/test.log)"; \
	exit $$status

run: build ## build, then run examples/quickstart/run.sh
	@test -x $(QUICKSTART) || { echo "run: $(QUICKSTART) is missing or not executable" >&2; exit 1; }
	PATH="$(CURDIR)/$(BIN):$$PATH" $(QUICKSTART)

lint: ## gofmt -l must list nothing; go vet ./...; workflowcheck finds no non-determinism in workflows/
	@unformatted=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$unformatted" ]; then echo "lint: gofmt needed on:" >&2; echo "$$unformatted" >&2; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(WORKFLOWCHECK) -config workflows/workflowcheck.config.yaml ./workflows/...

bench: ## run the benchmarks once each and print their figures (start-to-ready, RSS …)
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -timeout $(TEST_TIMEOUT) ./...

chaos: ## kill -9 a random worker CHAOS_KILLS times over >= CHAOS_PROMOTIONS promotions on PostgreSQL + Temporal (make test runs 6 over 12)
	@mkdir -p $(BIN)
	CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_PROMOTIONS=$(CHAOS_PROMOTIONS) CHAOS_SEED=$(CHAOS_SEED) \
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^TestClusterChaos$$' -v ./e2e 2>&1 | tee $(BIN)/chaos.log
