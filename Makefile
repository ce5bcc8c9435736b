# trtc-gateway — every command a developer or CI needs. Tools are pinned in
# tools/go.mod and built into .bin/, so nothing is installed by hand.

GO      ?= go
BIN     := $(CURDIR)/.bin
BUF     := $(BIN)/buf
TOOLS   := $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc \
           $(BIN)/protoc-gen-grpc-gateway $(BIN)/protoc-gen-openapiv2

# buf breaking compares the protos with this git ref; CI sets it to the last
# landed commit. Empty skips the check (no baseline yet).
BREAKING_AGAINST ?= $(shell git rev-parse -q --verify HEAD~1 >/dev/null 2>&1 && git cat-file -e HEAD~1:buf.yaml 2>/dev/null && echo '.git\#ref=HEAD~1')

.PHONY: all run test test-short lint generate check-generate breaking tools bench fuzz clean

all: generate lint test

## run: start the gateway on its embedded defaults.
run:
	$(GO) run ./cmd/trtc-gateway

## test: every test, with the race detector.
test:
	$(GO) test -race -count=1 ./...

## tools: build buf and the protoc plugins pinned in tools/go.mod.
tools: $(TOOLS)
$(TOOLS): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BIN)/ tool
	@touch $(TOOLS)

## generate: regenerate gen/ from proto/.
generate: $(TOOLS)
	$(BUF) generate

## lint: buf lint and go vet.
lint: $(TOOLS)
	$(BUF) lint
	$(GO) vet ./...

## breaking: buf breaking against $(BREAKING_AGAINST).
breaking: $(TOOLS)
	@if [ -n "$(BREAKING_AGAINST)" ]; then echo "buf breaking --against '$(BREAKING_AGAINST)'"; $(BUF) breaking --against '$(BREAKING_AGAINST)'; \
	else echo "buf breaking: no baseline commit, skipped"; fi

## check-generate: fail when gen/ differs from what make generate writes.
check-generate: generate
	@git add -N gen >/dev/null 2>&1; \
	if ! git diff --quiet -- gen; then echo "gen/ is stale: run 'make generate' and commit" >&2; git diff --stat -- gen >&2; exit 1; fi

## fuzz: run each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=$(FUZZTIME) ./server/callback

clean:
	rm -rf $(BIN)
