# vfctl — public entry points. The build itself is meson + ninja in $(BUILD).
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps ensure-deps demo check bench fuzz install deb rpm clean

# Plain `make` never installs anything: it says what is missing and builds what it can.
all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	@bash scripts/deps-missing.sh || echo "make: 'make deps' (as root) installs what is missing"
	meson setup --prefix=$(PREFIX) $(BUILD)

# Installs the Debian packages for build, tests and lab (root; adds bookworm-backports for QEMU).
deps:
	bash scripts/deps.sh

# demo, check and bench install what is missing first.
ensure-deps:
	@bash scripts/deps-missing.sh >/dev/null || bash scripts/deps.sh

demo: ensure-deps all
	bash lab/fetch-kernel.sh
	bash lab/demo.sh

check: ensure-deps all
	BUILD=$(BUILD) bash tests/run-all.sh

# The libFuzzer harnesses for FUZZ_SECONDS each (default 600); make check runs them 20 s each.
fuzz: ensure-deps
	BUILD=$(BUILD) bash tests/fuzz/run.sh $${FUZZ_SECONDS:-600}

bench: ensure-deps all
	python3 bench/bench.py --build $(BUILD)

# The Debian packages (vfctl, libvfctl2, libvfctl-dev) under build/deb, checked by lintian.
deb:
	bash scripts/deb.sh

# The RPMs (vfctl, libvfctl, libvfctl-devel) and the .src.rpm under $(BUILD)/rpm, checked by rpmlint.
rpm:
	BUILD=$(BUILD) bash scripts/rpm.sh

install: all
	DESTDIR=$(DESTDIR) meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-clang $(BUILD)-asan $(BUILD)-fuzz
