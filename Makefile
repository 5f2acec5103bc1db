# parindex: the two commands a newcomer needs are `make run` and `make test`.
GO          ?= go
BIN         := bin/parindex
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test lint bench bench-ingest clean

## run: build, seed the demo province into ./data (SQLite) and serve it
run: build
	./$(BIN) demo
	./$(BIN) serve

## build: compile the binary into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/parindex

## test: every test, with the race detector (PostgreSQL half when PARINDEX_TEST_POSTGRES is set)
test:
	$(GO) test -race -count=1 ./...

## lint: formatting, vet and staticcheck (pinned)
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: Go benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-ingest: survey ingestion under load on SQLite and PostgreSQL (PARINDEX_TEST_POSTGRES), beside a no-op gin handler
bench-ingest: build
	$(GO) run ./bench/ingest -parindex $(BIN) -duration 10s -conns 256 -rate 2000

clean:
	rm -rf bin
