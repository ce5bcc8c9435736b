# trtc-gateway — every command a developer or CI needs. Tools are pinned in
# tools/go.mod and built into .bin/, so nothing is installed by hand.

GO      ?= go
BIN     := $(CURDIR)/.bin
BUF     := $(BIN)/buf
# Centrifugo, for make bench only (tools/centrifugo/go.mod).
CENTRIFUGO := $(BIN)/centrifugo
TOOLS   := $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc \
           $(BIN)/protoc-gen-grpc-gateway $(BIN)/protoc-gen-openapiv2

# The published API contract: buf breaking compares proto/ with this image, so
# a break anywhere in a change fails, not only in its last commit. Refresh it
# with `make api-baseline` when a change that passes `make breaking` lands new API.
API_BASELINE := proto/api-baseline.json

.PHONY: api-baseline all run test test-go test-short lint generate gen-deps sdk-deps test-sdk console-deps test-console check-generate breaking tools bench bench-profile fuzz clean

all: generate lint test

## run: start the gateway on its embedded defaults.
run:
	$(GO) run ./cmd/trtc-gateway

## test: every test: Go with the race detector, the Node and Python SDK round trips, the console in Chromium.
test: test-go test-sdk test-console

## test-go: the Go tests, with the race detector.
test-go:
	$(GO) test -race -count=1 ./...

## tools: build buf and the protoc plugins pinned in tools/go.mod.
tools: $(TOOLS)
$(TOOLS): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BIN)/ tool
	@touch $(TOOLS)

# The SDK generators: protoc-gen-es pinned in tools/node/package-lock.json, and
# Debian's protoc with its gRPC Python plugin. The Python gencode must come from
# protoc 3.21 to match Debian's python3-protobuf 4.21 runtime.
ES_PLUGIN      := tools/node/node_modules/.bin/protoc-gen-es
GEN_APT        := protobuf-compiler protobuf-compiler-grpc
PROTOC_VERSION := 3.21.12
# What the SDK round-trip tests run on: Debian's Python runtime in a venv.
SDK_APT        := python3-grpcio python3-protobuf python3-venv python3-setuptools python3-wheel
NPM_CI         := npm ci --no-audit --no-fund --loglevel=error

$(ES_PLUGIN): tools/node/package.json tools/node/package-lock.json
	$(NPM_CI) --prefix tools/node
	@touch $@

## gen-deps: install what generation needs beyond .bin/ (quiet when present).
gen-deps: $(ES_PLUGIN)
	@scripts/apt-ensure.sh $(GEN_APT)
	@/usr/bin/protoc --version | grep -qx 'libprotoc $(PROTOC_VERSION)' || { \
	  echo "generate: need protoc $(PROTOC_VERSION) at /usr/bin/protoc (Debian protobuf-compiler), found: $$(/usr/bin/protoc --version)" >&2; exit 1; }

## generate: regenerate gen/ (Go, OpenAPI, TypeScript, Python) from proto/.
generate: $(TOOLS) gen-deps
	$(BUF) generate
	scripts/ts-index.sh gen/ts/lib

## sdk-deps: install what the SDK examples and their tests need.
sdk-deps: gen-deps
	@scripts/apt-ensure.sh $(SDK_APT)
	$(NPM_CI) --prefix examples/node-subscriber

## test-sdk: the Node and Python examples against a running gateway.
test-sdk: sdk-deps
	TRTCGW_SDK_TESTS=1 $(GO) test -count=1 -v ./test/sdk/

# The console test drives Debian's Chromium with playwright-core, pinned in
# test/console/browser/package-lock.json; no browser is downloaded.
CONSOLE_APT := chromium

## console-deps: install what the console's browser test needs.
console-deps:
	@scripts/apt-ensure.sh $(CONSOLE_APT)
	$(NPM_CI) --prefix test/console/browser

## test-console: the web console in headless Chromium against a real gateway.
## TRTCGW_CONSOLE_SCREENSHOT=docs/console.png refreshes the README's picture.
test-console: console-deps
	TRTCGW_CONSOLE_TESTS=1 $(GO) test -count=1 -v ./test/console/

## lint: buf lint and go vet.
lint: $(TOOLS)
	$(BUF) lint
	$(GO) vet ./...

## breaking: buf breaking against the published contract $(API_BASELINE).
breaking: $(TOOLS)
	$(BUF) breaking --against $(API_BASELINE)

## api-baseline: record the current protos as the published contract.
api-baseline: $(TOOLS)
	$(BUF) build --exclude-source-info -o $(API_BASELINE)

## check-generate: fail when gen/ differs from what make generate writes.
check-generate: generate
	@git add -N gen >/dev/null 2>&1; \
	if ! git diff --quiet -- gen; then echo "gen/ is stale: run 'make generate' and commit" >&2; git diff --stat -- gen >&2; exit 1; fi

## bench: the standard load suite (S1…S4, durable and 3-node-cluster rows, each against a bare net/http handler,
## S1 and S2 also against Centrifugo, built into .bin/ first) and the go test micro-benchmarks, in about 6–8
## minutes; rewrites BENCHMARKS.md.
## Not part of CI: it wants a quiet machine. BENCH_FLAGS adds flags, e.g.
## BENCH_FLAGS=--profile=bench-out/prof for pprof profiles of each gateway.
BENCH_FLAGS ?=
bench: $(CENTRIFUGO)
	$(GO) run ./cmd/trtc-gateway-bench --suite --centrifugo-bin=$(CENTRIFUGO) $(BENCH_FLAGS)

## bench-profile: where the gateway's CPU goes per webhook (issue 15): S1 and S1-durable, each with the full
## traffic mix and then the mix before issue 15, back to back, with the gateway profiled; rewrites the breakdown
## section of BENCHMARKS.md (about 1 minute). Apart from `make bench` because a profiled gateway runs from the
## benchmark's copy of package server under SIGPROF, not as the shipped binary the suite's rows measure.
bench-profile:
	$(GO) run ./cmd/trtc-gateway-bench --breakdown --profile=bench-out/prof $(BENCH_FLAGS)

# Centrifugo, the real-time server the suite measures beside the gateway, is
# pinned in a module of its own (tools/centrifugo/go.mod) so that `make tools`,
# which CI runs, does not build it: only `make bench` does.
$(CENTRIFUGO): tools/centrifugo/go.mod tools/centrifugo/go.sum
	cd tools/centrifugo && $(GO) build -o $(BIN)/ tool
	@touch $@

## fuzz: run each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./server/callback
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeTRTC$$' -fuzztime=$(FUZZTIME) ./server/callback
	$(GO) test -run='^$$' -fuzz='^FuzzValidJSON$$' -fuzztime=$(FUZZTIME) ./server/callback
	$(GO) test -run='^$$' -fuzz='^FuzzWebhook$$' -fuzztime=$(FUZZTIME) ./server/webhook
	$(GO) test -run='^$$' -fuzz='^FuzzApply$$' -fuzztime=$(FUZZTIME) ./server/calls
	$(GO) test -run='^$$' -fuzz='^FuzzApply$$' -fuzztime=$(FUZZTIME) ./server/rooms
	$(GO) test -run='^$$' -fuzz='^FuzzReadSnapshot$$' -fuzztime=$(FUZZTIME) ./server/calls
	$(GO) test -run='^$$' -fuzz='^FuzzReadSnapshot$$' -fuzztime=$(FUZZTIME) ./server/rooms
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./server/pagetoken
	$(GO) test -run='^$$' -fuzz='^FuzzClassify$$' -fuzztime=$(FUZZTIME) ./internal/cli
	$(GO) test -run='^$$' -fuzz='^FuzzCursorFile$$' -fuzztime=$(FUZZTIME) ./internal/cli
	$(GO) test -run='^$$' -fuzz='^FuzzSecretFlag$$' -fuzztime=$(FUZZTIME) ./internal/cli
	$(GO) test -run='^$$' -fuzz='^FuzzParseMix$$' -fuzztime=$(FUZZTIME) ./internal/traffic

clean:
	rm -rf $(BIN)
