# vfctl — public entry points. The build itself is meson + ninja in $(BUILD).
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps ensure-deps demo check bench install clean

all: ensure-deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup --prefix=$(PREFIX) $(BUILD)

# Installs the Debian packages for build, tests and lab (root; adds bookworm-backports for QEMU).
deps:
	bash scripts/deps.sh

# demo and check install what is missing first; plain `make` only says so.
ensure-deps:
	@bash scripts/deps-missing.sh >/dev/null || bash scripts/deps.sh

demo: all
	bash lab/fetch-kernel.sh
	bash lab/demo.sh

check: all
	BUILD=$(BUILD) bash tests/run-all.sh

bench: all
	python3 bench/bench.py --build $(BUILD)

install: all
	DESTDIR=$(DESTDIR) meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-clang $(BUILD)-asan
