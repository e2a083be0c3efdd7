# omlink: `make run` tries it, `make test` runs every test. Both install what is missing first.
.PHONY: run test deps deps-test fmt lint unit build

CARGO ?= cargo

deps:
	scripts/ensure-deps.sh core

deps-test:
	scripts/ensure-deps.sh test

build: deps
	$(CARGO) build --workspace

# Until the desktop app lands, `run` starts the sandbox Ops Manager and shows a CLI link against it.
run: build
	scripts/demo.sh

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

test: deps-test fmt lint unit

# Benchmarks: measured, never asserted. Compare revisions on the same machine.
.PHONY: bench
bench: deps
	$(CARGO) bench -p omlink --bench client
	scripts/bench-vs-curl.sh
