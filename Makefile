# omlink: `make run` opens the app, `make test` runs every test. Both install what is missing first.
.PHONY: run test deps deps-test ui ui-deps fmt lint unit ui-test e2e bindings build bench demo

CARGO ?= cargo
NPM ?= npm
# The desktop binary with the UI embedded (not loaded from a dev server).
APP_FEATURES := --features tauri/custom-protocol

deps:
	scripts/ensure-deps.sh core

deps-test:
	scripts/ensure-deps.sh test

ui-deps:
	cd ui && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then $(NPM) ci --no-audit --no-fund; fi

ui: ui-deps
	cd ui && $(NPM) run build

build: deps ui
	$(CARGO) build --workspace $(APP_FEATURES)

# Opens the desktop app; with no profiles it offers the built-in sandbox.
run: build
	$(CARGO) run -p omlink-desktop $(APP_FEATURES)

# The CLI against the sandbox, without the desktop.
demo: deps
	$(CARGO) build -p omlink -p omlink-sandbox
	scripts/demo.sh

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace --exclude omlink-e2e

ui-test: ui-deps
	cd ui && $(NPM) run typecheck && $(NPM) test

# Regenerates ui/src/bindings from the Rust types (the unit tests fail when they drift).
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p omlink-desktop --test bindings

# The real window under Xvfb with a real Secret Service; refreshes docs/screenshots.
e2e: deps-test ui
	$(CARGO) build -p omlink-desktop $(APP_FEATURES)
	tests/e2e/run.sh

test: deps-test ui fmt lint unit ui-test e2e

# Benchmarks: measured, never asserted. Compare revisions on the same machine.
bench: deps
	$(CARGO) bench -p omlink --bench client
	scripts/bench-vs-curl.sh
