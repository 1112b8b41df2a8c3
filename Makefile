# Kitshelf's make targets. `make test` is what CI runs (through .ci/run).
GO ?= go
# The race detector needs cgo (a C compiler). On a machine with only Go, the
# tests still run, without it, and say so.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

.PHONY: run test check lint unit build clean

## run: serve Kitshelf with demo data on the embedded SQLite database
run:
	$(GO) run ./cmd/kitshelf -demo

## test: formatting, vet, staticcheck, then every test under the race detector
test: lint unit

lint:
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit:
	@[ -n "$(RACE)" ] || echo "NOTE: no C compiler (CGO_ENABLED=0), so the tests run WITHOUT the race detector"
	$(GO) test $(RACE) -count=1 -timeout 30m ./...
	@$(GO) test -count=1 -run '^TestDatabasesCovered$$' -v ./models/ | grep 'databases covered'

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/kitshelf ./cmd/kitshelf

clean:
	rm -rf bin test-artifacts kitshelf-demo.db*
