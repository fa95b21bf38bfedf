# shadowai: shadow-AI discovery. `make help` lists the targets.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w
AGENT_LDFLAGS     := $(LDFLAGS) -X github.com/shadowai/shadowai/agent/internal/cli.Version=$(VERSION)
COLLECTOR_LDFLAGS := $(LDFLAGS) -X github.com/shadowai/shadowai/collector/internal/cli.Version=$(VERSION)
AGENT_PLATFORMS := linux/amd64 linux/arm64 windows/amd64 darwin/arm64

.PHONY: help build test demo proto proto-check lint bench cross clean signatures-check bench-signatures fuzz-signatures bench-net fuzz-net live-bench
.PHONY: bench-collector fuzz-collector

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/shadowai-agent (no cgo) and bin/shadowai-collector
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(AGENT_LDFLAGS)' -o bin/shadowai-agent ./agent/cmd/shadowai-agent
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags '$(COLLECTOR_LDFLAGS)' -o bin/shadowai-collector ./collector/cmd/shadowai-collector

test: lint proto-check signatures-check ## lint, check generated code and the catalog, run every test with -race
	$(GO) test -race -count=1 ./...

lint: ## gofmt, go vet, staticcheck, go mod tidy
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff

proto: ## regenerate the protobuf Go code with the pinned buf and plugins
	cd proto && $(GO) tool buf lint && $(GO) tool buf generate

proto-check: ## fail if `make proto` would change the checked-in code
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	  (cd proto && $(GO) tool buf generate -o $$tmp); \
	  for f in $$(cd $$tmp && find . -name '*.go'); do \
	    cmp -s $$tmp/$$f proto/$$f || { echo "proto/$$f is stale: run make proto"; exit 1; }; \
	  done

demo: build ## collector and agent end to end on bundled real-client captures: inventory, policy, weekly report (KEEP=1 keeps it)
	installers/demo/demo.sh $(or $(PCAP),agent/internal/netsensor/testdata/clients.pcap agent/internal/netsensor/testdata/basic.pcap)

signatures-check: ## validate the signature catalog: schema, duplicates, overlaps, domain syntax, shared apexes
	$(GO) run ./signatures/cmd/signatures-check signatures

bench-signatures: ## domain matcher lookups/s on a realistic name mix, and the ratio to a Go map walk
	@$(GO) test -run '^$$' -bench 'MatchDomain|MatchProcess' -benchtime 3s ./signatures | tee /dev/stderr | \
	  awk '/^BenchmarkMatchDomain-/{for(i=1;i<=NF;i++) if($$(i+1)=="lookups/cpu-s") new=$$i} \
	       /^BenchmarkMatchDomainMapWalk-/{for(i=1;i<=NF;i++) if($$(i+1)=="lookups/cpu-s") old=$$i} \
	       END{if(old>0) printf "matcher: %.1f M lookups per CPU-second, %.1fx the Go map walk (%.1f M) on the same names\n", new/1e6, new/old, old/1e6}'

FUZZTIME ?= 2m
fuzz-signatures: ## fuzz the bundle, vendor-file, saved-bundle and name parsers, FUZZTIME each (default 2m)
	$(GO) test -run '^$$' -fuzz '^FuzzOpenBundle$$' -fuzztime $(FUZZTIME) ./signatures
	$(GO) test -run '^$$' -fuzz '^FuzzParseVendor$$' -fuzztime $(FUZZTIME) ./signatures
	$(GO) test -run '^$$' -fuzz '^FuzzMatchDomain$$' -fuzztime $(FUZZTIME) ./signatures
	$(GO) test -run '^$$' -fuzz '^FuzzOpenSaved$$' -fuzztime $(FUZZTIME) ./agent/internal/catalogsync

bench: ## run every Go benchmark (allocations reported)
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-net: build ## scan vs ndpiReader and tshark on a generated office capture (>= 500k packets): medians, ratios, names
	agent/internal/netsensor/bench/bench-net.sh bin/shadowai-agent $(or $(BENCH_DIR),/tmp/shadowai-bench-net) $(or $(RUNS),5)
	SHADOWAI_BENCH_PCAP=$(or $(BENCH_DIR),/tmp/shadowai-bench-net)/office.pcap $(GO) test -run '^$$' -bench . -benchtime 2s ./agent/internal/netsensor/

fuzz-net: ## fuzz the DNS, ClientHello, QUIC Initial parsers and the reassembler, FUZZTIME each (default 5m)
	@for t in ./agent/internal/decode/dns:FuzzMessage ./agent/internal/decode/tlshello:FuzzParseRecord \
	  ./agent/internal/decode/quic:FuzzInitial ./agent/internal/reassembly:FuzzBuffer ./agent/internal/netsensor:FuzzSensor; do \
	  echo "fuzzing $${t#*:} for $(or $(FUZZTIME),5m)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(or $(FUZZTIME),5m) -parallel 1 $${t%:*} || exit 1; \
	done

live-bench: build ## replay the office capture at top speed onto a veth pair while the agent captures live (needs root)
	agent/internal/netsensor/bench/live-bench.sh bin/shadowai-agent $(or $(BENCH_DIR),/tmp/shadowai-bench-net)

.PHONY: bench-endpoint
bench-endpoint: ## endpoint sensors: scan of 1000 real processes vs ps, attribution on a busy host, idle cost
	$(GO) test -run '^$$' -bench 'ScanReal' -benchtime 20x ./agent/internal/procscan/
	$(GO) test -run '^$$' -bench 'AttributionBusy' -benchtime 1x ./agent/internal/attribute/
	$(GO) test -run '^$$' -bench 'IdleCost' -benchtime 20x ./agent/internal/endpoint/

bench-collector: build ## ingest over mTLS gRPC (1/100/1000 streams) vs raw SQLite, query latency at 10M sightings
	CGO_ENABLED=1 $(GO) build -trimpath -o bin/shadowai-collector-bench ./collector/cmd/shadowai-collector-bench
	mkdir -p bin/bench
	bin/shadowai-collector-bench -collector bin/shadowai-collector -dir bin/bench $(BENCH_ARGS)

fuzz-collector: ## fuzz the collector's parsers of agent and admin input, FUZZTIME each (default 30s)
	@for t in ingest:FuzzToBatch store:FuzzDecodeFacts inventory:FuzzParseSince httpapi:FuzzFilterFrom report:FuzzParseWeek config:FuzzParse; do \
	  pkg=$${t%%:*}; fn=$${t#*:}; echo "$$pkg $$fn"; \
	  $(GO) test ./collector/internal/$$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(or $(FUZZTIME),30s) || exit 1; \
	done

.PHONY: measure-idle measure-drain
measure-idle: build ## 10 minutes of an idle live agent: CPU % of a core and RSS against the goals
	agent/internal/pipeline/bench/measure-idle.sh $(or $(SECONDS_IDLE),600)

measure-drain: ## time for a restarted collector to receive an agent's 1-hour backlog
	SHADOWAI_MEASURE=1 $(GO) test -count=1 -run TestMeasureDrainHourBacklog -v ./collector/internal/e2e/ | grep -E 'backlog|drained|ok|FAIL'

cross: ## cross-compile the agent without cgo for every supported platform
	@for p in $(AGENT_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "agent $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(AGENT_LDFLAGS)' \
	    -o bin/$$os-$$arch/shadowai-agent$$ext ./agent/cmd/shadowai-agent; \
	done

clean: ## remove build output
	rm -rf bin
