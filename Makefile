# parindex: the two commands a newcomer needs are `make run` and `make test`.
GO          ?= go
BIN         := bin/parindex
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# Recursive (=): ECHARTS_VERSION is defined further down.
LDFLAGS      = -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.echartsVersion=$(ECHARTS_VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test lint bench bench-ingest bench-dashboards clean dist vendor-echarts vendor-axe verify-xlsx

## run: build, seed the demo province into ./data (SQLite) and serve it
run: build
	./$(BIN) demo
	./$(BIN) serve

## build: compile the binary into bin/
build: vendor-echarts
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/parindex

## test: every test, with the race detector (PostgreSQL half when PARINDEX_TEST_POSTGRES is set), then the browser crawl without it
test:
	$(GO) test -race -count=1 -timeout 30m ./...
	$(GO) test -count=1 -timeout 30m -run '^TestCrawlShowsNamesAndNoDeadEnds$$' ./e2e/browser/

## lint: formatting, vet and staticcheck (pinned)
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: Go benchmarks (without the hour-long dashboards one: make bench-dashboards)
bench:
	$(GO) test -run '^$$' -bench . -skip DashboardsAtScale -benchmem ./...

## bench-ingest: survey ingestion under load on SQLite and PostgreSQL (PARINDEX_TEST_POSTGRES), beside a no-op gin handler; every staff page alone and the dashboards under 2,000 submissions/s
bench-ingest: build
	$(GO) run ./bench/ingest -parindex $(BIN) -duration 10s -conns 1024 -rate 2000

## bench-dashboards: overview and agency page server time at 150 units and 5 million responses, SQLite and PostgreSQL (PARINDEX_TEST_POSTGRES)
bench-dashboards:
	$(GO) test -run '^$$' -bench DashboardsAtScale -benchtime 200x -timeout 120m ./web

## verify-xlsx: seed the demo into a temporary directory, export a sample of every kind of workbook (scorecards of a
## department and a commune, the ranking, survey results, a month of one unit's raw responses), print each to PDF with
## LibreOffice headless, one at a time, and inspect the PDFs (e2e/printcheck, with pdftotext -bbox-layout): no two
## words overlap, nothing below 8 pt, every cell's text printed whole, page counts within bounds. Skips, saying so,
## when soffice or pdftotext is not installed (Debian: libreoffice-calc, poppler-utils; fonts-liberation2 for Arial's metrics).
verify-xlsx: build
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
		echo "verify-xlsx: skipped: soffice or pdftotext is not installed; apt-get install libreoffice-calc poppler-utils fonts-liberation2"; exit 0; fi; \
	if ! fc-match Arial | grep -q "Liberation Sans\|Arial"; then \
		echo "verify-xlsx: Arial prints as $$(fc-match Arial), not as Arial or its metric twin Liberation Sans, so every line would be wider than measured; apt-get install fonts-liberation2"; exit 1; fi; \
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export PARINDEX_DATA_DIR="$$tmp/data" PARINDEX_DATABASE_URL= ; \
	./$(BIN) demo >/dev/null 2>&1; \
	mkdir -p "$$tmp/xlsx" "$$tmp/pdf"; \
	./$(BIN) export scorecards --snapshot 1 --unit SNV --out "$$tmp/xlsx" >/dev/null 2>&1; \
	./$(BIN) export scorecards --snapshot 2 --unit X001 --out "$$tmp/xlsx" >/dev/null 2>&1; \
	./$(BIN) export ranking --snapshot 1 --out "$$tmp/xlsx" >/dev/null; \
	./$(BIN) export survey --instrument sipas-2026 --year 2026 --out "$$tmp/xlsx" >/dev/null; \
	./$(BIN) export responses --unit SNV --from 2026-11-01 --to 2026-11-30 --out "$$tmp/xlsx" >/dev/null 2>&1; \
	failed=0; for f in "$$tmp"/xlsx/*.xlsx; do \
		name=$$(basename "$$f" .xlsx); \
		if ! soffice --headless --norestore -env:UserInstallation=file://$$tmp/lo --convert-to pdf --outdir "$$tmp/pdf" "$$f" >"$$tmp/soffice.log" 2>&1 \
			|| [ ! -s "$$tmp/pdf/$$name.pdf" ]; then \
			echo "verify-xlsx: FAILED to convert $$name.xlsx"; cat "$$tmp/soffice.log"; failed=1; fi; \
	done; \
	$(GO) run ./e2e/printcheck "$$tmp/xlsx" "$$tmp/pdf" || failed=1; \
	exit $$failed

## vendor-echarts: fetch ECharts (pinned version, checked SHA-256) from the npm registry into web/static/vendor/, to be
## embedded and served by the app itself: the dashboards never load a script from the internet. Not committed; the
## pages still work without it (data tables only).
ECHARTS_VERSION := 5.6.0
ECHARTS_SHA256  := e1b82487dd7f8d9f0438eec1f1433051148e0095ac7a15d4db890afda45cf610
ECHARTS_JS      := web/static/vendor/echarts.min.js
vendor-echarts: $(ECHARTS_JS)
$(ECHARTS_JS):
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if (cd "$$tmp" && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null 2>&1) \
		&& echo "$(ECHARTS_SHA256)  $$tmp/echarts-$(ECHARTS_VERSION).tgz" | sha256sum -c --quiet - \
		&& tar -xzf "$$tmp/echarts-$(ECHARTS_VERSION).tgz" -C "$$tmp" package/dist/echarts.min.js; then \
		mkdir -p $(dir $(ECHARTS_JS)) && cp "$$tmp/package/dist/echarts.min.js" $(ECHARTS_JS) && \
		echo "vendored echarts $(ECHARTS_VERSION) into $(ECHARTS_JS)"; \
	else \
		echo "vendor-echarts: could not fetch and check echarts $(ECHARTS_VERSION) (is npm installed and the registry reachable?);"; \
		echo "vendor-echarts: building without charts: the dashboards show their data tables only."; \
	fi

## vendor-axe: fetch axe-core (pinned version, checked SHA-256) from the npm registry into e2e/browser/testdata/, for
## the accessibility checks of the browser tests (which skip, saying so, without it). Not committed; fails when the
## fetch or the check fails.
AXE_VERSION := 4.14.1
AXE_SHA256  := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE_JS      := e2e/browser/testdata/axe.min.js
vendor-axe: $(AXE_JS)
$(AXE_JS):
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if (cd "$$tmp" && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null 2>&1) \
		&& echo "$(AXE_SHA256)  $$tmp/axe-core-$(AXE_VERSION).tgz" | sha256sum -c --quiet - \
		&& tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" package/axe.min.js; then \
		mkdir -p $(dir $(AXE_JS)) && cp "$$tmp/package/axe.min.js" $(AXE_JS) && \
		echo "vendored axe-core $(AXE_VERSION) into $(AXE_JS)"; \
	else \
		echo "vendor-axe: could not fetch and check axe-core $(AXE_VERSION) (is npm installed and the registry reachable?)" >&2; \
		exit 1; \
	fi

## dist: release archives in dist/ for linux/amd64, linux/arm64 (.tar.gz) and windows/amd64 (.zip), each with the
## binary (ECharts embedded; static, no cgo), README.md and docs/deploy.md, and dist/SHA256SUMS. Fails without ECharts:
## a release must draw its charts.
DIST_PLATFORMS := linux/amd64 linux/arm64 windows/amd64
dist: vendor-echarts
	@[ -s $(ECHARTS_JS) ] || { echo "dist: $(ECHARTS_JS) is missing (make vendor-echarts could not fetch it): a release needs ECharts" >&2; exit 1; }
	@command -v zip >/dev/null || { echo "dist: zip is needed for the Windows archive (apt-get install zip)" >&2; exit 1; }
	@set -e; rm -rf dist; mkdir -p dist; \
	epoch=$$(git log -1 --format=%ct 2>/dev/null || date +%s); \
	for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; name=parindex-$(VERSION)-$$os-$$arch; dir=dist/$$name; exe=parindex; \
		[ $$os = windows ] && exe=parindex.exe; \
		mkdir -p $$dir; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS) -s -w" -o $$dir/$$exe ./cmd/parindex; \
		cp README.md docs/deploy.md $$dir/; \
		touch -d @$$epoch $$dir $$dir/*; \
		if [ $$os = windows ]; then (cd dist && zip -qrX $$name.zip $$name); \
		else tar -C dist --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$$epoch -czf dist/$$name.tar.gz $$name; fi; \
		rm -rf $$dir; echo "dist: $$name"; \
	done; \
	cd dist && sha256sum *.tar.gz *.zip > SHA256SUMS && cat SHA256SUMS

clean:
	rm -rf bin dist
