# Infoplane: the usual entry points.
#   make deps      install what is missing (Debian packages via apt-get, Python packages via pip)
#   make demo      deps + build + the daemon with the numpy demo training job streaming to it
#                  (EXAMPLE=cnn: the digits CNN in PyTorch instead; DEMO_EPOCHS=N: its length)
#   make test      deps + every test (Swift, Python, C client, conformance)
#   make fixtures  regenerate the estimator reference fixtures (Python: scipy, scikit-learn, dse-dsmi)
#                  and the demo's per-epoch losses the overfitting rule is tested on
#   make protos    regenerate the committed protobuf code (Swift, C, Python)
#   make lint      what differs from the house style (.swift-format); make format rewrites it

PYTHON ?= python3
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

APT_PACKAGES := build-essential pkg-config git \
	protobuf-compiler protobuf-c-compiler libprotobuf-c-dev \
	libopenblas-dev liblapacke-dev libsystemd-dev systemd \
	libsqlite3-dev sqlite3 libcurl4-openssl-dev libxml2-dev \
	python3 python3-pip chromium prometheus
PIP_PACKAGES := numpy scipy scikit-learn dse-dsmi protobuf pytest
TORCH := torch==2.13.0+cpu
# The Lightning and Hugging Face Trainer callbacks' tests (CPU; installed after torch, so
# that they find it and pull no other build of it).
FRAMEWORK_PACKAGES := lightning transformers "accelerate>=1.1"

DEMO_DIR := .demo
DEMO_SOCKET := $(DEMO_DIR)/infoplane.sock
# Empty: each example's own default (szt 1500 epochs, cnn 30).
DEMO_EPOCHS ?=
EXAMPLE ?= szt

.PHONY: format lint deps deps-apt deps-python build test test-swift test-python test-c demo fixtures protos clean

deps: deps-apt deps-python

deps-apt:
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is required: install the toolchain from https://www.swift.org/install/linux/ and put it on PATH"; exit 1; }
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	else echo "Debian packages: all present"; fi

deps-python:
	@$(PYTHON) -c "import numpy, scipy, sklearn, dse_dsmi, google.protobuf, pytest" 2>/dev/null \
		|| $(PYTHON) -m pip install -q $(PIP_PACKAGES)
	@$(PYTHON) -c "import torch" 2>/dev/null || $(PYTHON) -m pip install -q "$(TORCH)" \
		|| echo "note: $(TORCH) could not be installed; the torch hook tests will be skipped"
	@$(PYTHON) -c "import torch" 2>/dev/null || exit 0; \
	$(PYTHON) -c "import lightning, transformers, accelerate" 2>/dev/null || $(PYTHON) -m pip install -q $(FRAMEWORK_PACKAGES) \
		|| echo "note: lightning, transformers or accelerate could not be installed; the Lightning and Trainer callback tests will be skipped"
	@$(PYTHON) -c "import infoplane, os, sys; sys.exit(0 if os.path.realpath(os.path.dirname(infoplane.__file__)).startswith(os.path.realpath('Clients/python')) else 1)" 2>/dev/null \
		|| $(PYTHON) -m pip install -q -e Clients/python

build: deps-apt
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) test-python test-c
	Scripts/conformance.sh --no-build

test-python:
	$(PYTHON) -m pytest -q Clients/python/tests

test-c:
	$(MAKE) -C Clients/c

demo: deps build
	@mkdir -p $(DEMO_DIR)
	@Scripts/run-demo.sh "$(DEMO_DIR)" "$(DEMO_EPOCHS)" "$(EXAMPLE)"

fixtures:
	$(PYTHON) Scripts/reference/make_fixtures.py
	$(PYTHON) Clients/python/examples/szt_demo.py --no-monitor --epochs 8000 --quiet \
	  --losses-csv Tests/InfoplaneMonitorTests/Fixtures/szt-demo-losses.csv

protos:
	Scripts/generate-protos.sh

clean:
	rm -rf .build $(DEMO_DIR)

# House style (.swift-format: 120 columns, 4 spaces). `make lint` lists what differs; `make
# format` rewrites the Swift sources in place (generated code excluded).
SWIFT_SOURCES = $(shell find Sources Tests Benchmarks -name '*.swift' -not -path '*/Generated/*')
format:
	$(SWIFT) format format -i --parallel $(SWIFT_SOURCES)

lint:
	$(SWIFT) format lint --parallel $(SWIFT_SOURCES)
