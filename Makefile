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
FUZZTIME     ?= 10s
FUZZMINIMIZETIME ?= 2s
QUICKSTART   ?= examples/quickstart/run.sh
WORKFLOWCHECK ?= go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
CHAOS_KILLS  ?= 100
CHAOS_PROMOTIONS ?= 100
CHAOS_SEED   ?= 15
SCALE_PIPELINES ?= 1000
SCALE_WORKERS ?= 1,2

.PHONY: help build test fuzz run lint bench chaos scale

help: ## list the targets
	@echo "Railyard make targets (Go toolchain: $$($(GO) env GOVERSION), GOTOOLCHAIN=$(GOTOOLCHAIN)):"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## (.*)/  \1\t\2/' | expand -t 10
	@echo "Variables: TEST_TIMEOUT=$(TEST_TIMEOUT) TESTFLAGS=$(TESTFLAGS) BENCHTIME=$(BENCHTIME) FUZZTIME=$(FUZZTIME) BIN=$(BIN)"
	@echo "           CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_PROMOTIONS=$(CHAOS_PROMOTIONS) CHAOS_SEED=$(CHAOS_SEED) (make chaos)"
	@echo "           SCALE_PIPELINES=$(SCALE_PIPELINES) SCALE_WORKERS=$(SCALE_WORKERS) (make scale; see BenchmarkScaleCluster for SCALE_*)"

build: ## build bin/railyard-worker and bin/railyard (a cold build takes ~4 min)
	@test -d starter || { echo "build: starter/ does not exist yet; bin/railyard cannot be built" >&2; exit 1; }
	$(GO) build -o $(BIN)/railyard-worker ./worker
	$(GO) build -o $(BIN)/railyard ./starter

test: ## go test ./... with a generous timeout and a summary line (log in bin/test.log), then make fuzz
	@mkdir -p $(BIN)
	@start=$$(date +%s); status=0; \
	$(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) ./... 2>&1 | tee $(BIN)/test.log || status=$$?; \
	ok=$$(grep -cE '^ok\s' $(BIN)/test.log || true); \
	failed=$$(grep -cE '^FAIL\s' $(BIN)/test.log || true); \
	none=$$(grep -cE '^\?\s' $(BIN)/test.log || true); \
	echo "make test: $$ok packages ok, $$failed failed, $$none without tests, $$(( $$(date +%s) - start ))s (log: $(BIN)/test.log)"; \
	exit $$status
	@$(MAKE) --no-print-directory fuzz

# Every `func FuzzX` in a *_test.go file of the main module, as package:FuzzX.
FUZZ_TARGETS ?= $(shell grep -rHoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' --exclude-dir=tools --exclude-dir=.git . | sed -E 's|^(.*)/[^/]+_test\.go:func (Fuzz.*)$$|\1:\2|' | sort)

# FUZZ_RACE, a shell function body given the log as $$1, succeeds when a
# failed fuzz run is Go 1.26's coordinator race (go.dev/issue/75804, fixed in
# Go 1.27): it fails at -fuzztime with "context deadline exceeded" and writes
# no failing input. Only that gets a second run; a real crasher fails at once.
FUZZ_RACE = grep -qE '^[[:space:]]+context deadline exceeded$$' "$$1" && ! grep -q 'Failing input written' "$$1"

fuzz: ## run every fuzz target for FUZZTIME (10s; 0 skips) and print its executions (logs in bin/fuzz/)
	@mkdir -p $(BIN)/fuzz
	@if [ "$(FUZZTIME)" = 0 ]; then echo "make fuzz: skipped (FUZZTIME=0)"; exit 0; fi; \
	total=$$(date +%s); failed=0; \
	fuzz_race() { $(FUZZ_RACE); }; \
	for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; log=$(BIN)/fuzz/$$name.log; start=$$(date +%s); status=0; \
		for attempt in 1 2; do \
			status=0; \
			nice -n 10 $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) \
				$$pkg >$$log 2>&1 || status=$$?; \
			[ $$status -ne 0 ] && [ $$attempt -eq 1 ] && fuzz_race $$log || break; \
			echo "make fuzz: $$name ended in Go's fuzz-coordinator race (go.dev/issue/75804: 'context deadline exceeded', no input written); running it again"; \
			cp $$log $$log.race; \
		done; \
		execs=$$(grep -oE 'execs: [0-9]+' $$log | tail -n 1 | grep -oE '[0-9]+' || echo 0); \
		corpus=$$(grep -oE 'total: [0-9]+' $$log | tail -n 1 | grep -oE '[0-9]+' || echo 0); \
		if [ $$status -eq 0 ]; then result=ok; else result=FAILED; failed=$$((failed + 1)); tail -n 40 $$log; fi; \
		printf 'make fuzz: %-22s %-18s %9s execs in %s, corpus %s, %ss with the build: %s\n' \
			$$name $$pkg $$execs $(FUZZTIME) $$corpus $$(( $$(date +%s) - start )) $$result; \
	done; \
	echo "make fuzz: $$(echo $(FUZZ_TARGETS) | wc -w) targets, $$failed failed, $$(( $$(date +%s) - total ))s (logs: $(BIN)/fuzz/; a crasher is saved under the package's testdata/fuzz/)"; \
	[ $$failed -eq 0 ]

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

scale: ## BenchmarkScaleCluster: SCALE_PIPELINES pipelines x 3 stages on PostgreSQL + Temporal with SCALE_WORKERS workers (log in bin/scale.log)
	@mkdir -p $(BIN)
	SCALE_PIPELINES=$(SCALE_PIPELINES) SCALE_WORKERS=$(SCALE_WORKERS) \
	$(GO) test -count=1 -timeout 4h -run '^$$' -bench '^BenchmarkScaleCluster$$' -benchtime 1x ./e2e 2>&1 | tee $(BIN)/scale.log

chaos: ## kill -9 a random worker CHAOS_KILLS times over >= CHAOS_PROMOTIONS promotions on PostgreSQL + Temporal (make test runs 6 over 12)
	@mkdir -p $(BIN)
	CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_PROMOTIONS=$(CHAOS_PROMOTIONS) CHAOS_SEED=$(CHAOS_SEED) \
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^TestClusterChaos$$' -v ./e2e 2>&1 | tee $(BIN)/chaos.log
