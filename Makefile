# HyperFleet: build, test and run. `make help` lists the targets.
#
# Two build variants share the sources: build/release (optimised, the binary
# users run) and build/asan (AddressSanitizer + UndefinedBehaviorSanitizer,
# used by every test).

SHELL := /bin/bash
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

CC ?= gcc
# `make V=1` shows the full commands.
Q := $(if $(V),,@)
PKGS := libcurl openssl libcjson yaml-0.1 libwebsockets
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wpointer-arith -Wcast-align -Wundef
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -g $(WARNINGS) -Icontroller
RELEASE_CFLAGS := -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2
ASAN_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

LIB_SOURCES := $(shell find controller -name '*.c' ! -path controller/cmd/main.c | sort)
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
INTEGRATION_TESTS := $(basename $(notdir $(wildcard tests/integration/test_*.c)))

# $(call variant,NAME,CFLAGS,COMPILER): objects, library and binary of one variant.
define variant
$(1)_OBJS := $$(LIB_SOURCES:%.c=build/$(1)/obj/%.o)
build/$(1)/obj/%.o: %.c
	@mkdir -p $$(@D)
	@$(if $(V),,echo "  CC [$(1)] $$<")
	$(Q)$(3) $$(BASE_CFLAGS) $(2) $$(PKG_CFLAGS) -MMD -MP -c $$< -o $$@
build/$(1)/libhyperfleet.a: $$($(1)_OBJS)
	@rm -f $$@
	$(Q)ar rcs $$@ $$^
build/$(1)/hyperfleet: build/$(1)/obj/controller/cmd/main.o build/$(1)/libhyperfleet.a
	@$(if $(V),,echo "  LD [$(1)] $$@")
	$(Q)$(3) $$(BASE_CFLAGS) $(2) $$^ $$(PKG_LIBS) -lpthread -lm -o $$@
-include $$($(1)_OBJS:.o=.d) build/$(1)/obj/controller/cmd/main.d
endef
# The OpenAPI document and its page are embedded with .incbin, which the
# compiler's dependency files do not list.
$(foreach v,release asan fuzz,build/$(v)/obj/controller/api/openapi_doc.o): controller/api/openapi.json controller/api/openapi.html
$(eval $(call variant,release,$(RELEASE_CFLAGS),$(CC)))
$(eval $(call variant,asan,$(ASAN_CFLAGS),$(CC)))
# Fuzz targets (tests/fuzz/fuzz_*.c, libFuzzer) link a library built with
# clang's coverage instrumentation and the sanitizers.
FUZZ_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
$(eval $(call variant,fuzz,$(FUZZ_CFLAGS),clang))
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 15

# Benchmarks (bench/*.c) are built optimised, like the shipped binary.
BENCHES := $(basename $(notdir $(wildcard bench/*.c)))
build/release/bench/%: bench/%.c bench/bench.h build/release/libhyperfleet.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC [bench] $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(RELEASE_CFLAGS) $(PKG_CFLAGS) $< build/release/libhyperfleet.a \
		$(PKG_LIBS) -lpthread -lm -o $@

build/fuzz/tests/%: tests/fuzz/%.c build/fuzz/libhyperfleet.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC [fuzz] $<")
	$(Q)clang $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) $< build/fuzz/libhyperfleet.a $(PKG_LIBS) -lpthread -lm -o $@

build/asan/tests/unit/%: tests/unit/%.c build/asan/libhyperfleet.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC [test] $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags criterion) \
		-Itests $< build/asan/libhyperfleet.a $(PKG_LIBS) $(shell pkg-config --libs criterion) -lpthread -lm -o $@

# Integration tests in C drive the real control plane (tests/integration/run.sh).
build/asan/tests/integration/%: tests/integration/%.c tests/integration/fixture.h build/asan/libhyperfleet.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC [test] $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags criterion) \
		-Itests $< build/asan/libhyperfleet.a $(PKG_LIBS) $(shell pkg-config --libs criterion) -lpthread -lm -o $@

.PHONY: help deps build build-asan test test-unit test-adapters test-integration test-e2e test-fuzz fuzz bench lint format run kube clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

deps: ## install the Debian packages the project needs, when missing
	@bash hack/deps.sh

build: deps build/release/hyperfleet ## build the hyperfleet binary (build/release/hyperfleet)

build-asan: deps build/asan/hyperfleet ## build the sanitizer variant (build/asan/hyperfleet)

test: deps ## everything: lint, build, unit, adapter, fuzz, integration and end-to-end tests
	@$(MAKE) --no-print-directory lint build build-asan
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-adapters
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory test-e2e

test-unit: deps $(UNIT_TESTS:%=build/asan/tests/unit/%) ## C unit tests (Criterion) under ASan+UBSan
	@bash tests/run-unit.sh $(UNIT_TESTS:%=build/asan/tests/unit/%)

test-adapters: deps build/asan/hyperfleet ## the shipped GCP adapters: dry-runs on fixtures, Job scripts against stub tools (no cluster)
	@HF_BIN=build/asan/hyperfleet bash tests/adapters/run.sh

test-integration: deps build/asan/hyperfleet $(INTEGRATION_TESTS:%=build/asan/tests/integration/%) ## tests against a real control plane (started for the run)
	@bash tests/integration/run.sh

test-e2e: deps build/asan/hyperfleet ## the user journeys: kubectl and the REST API against the operator
	@bash tests/e2e/run.sh

fuzz: deps $(FUZZ_TARGETS:%=build/fuzz/tests/%) ## build the libFuzzer targets (build/fuzz/tests)

test-fuzz: fuzz ## run each fuzz target on its corpus for FUZZ_SECONDS (default 15)
	@bash tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS:%=build/fuzz/tests/%)

bench: deps $(BENCHES:%=build/release/bench/%) ## benchmarks on a fresh control plane; figures in bench/results/
	@bash bench/run.sh

lint: deps build/release/hyperfleet ## clang-format check, cppcheck, banned functions, generated CRDs and every shipped adapter config
	@bash hack/lint.sh

format: deps ## apply clang-format to the C sources
	@clang-format -i $$(find controller tests bench -name '*.[ch]')

kube: deps ## build the test control plane once (cached outside the repository)
	@bash hack/kube/build.sh

ADAPTERS ?= simulated
run: deps build ## the local control plane and the operator (REST API on :8000) with ADAPTERS=simulated|gcp|none; Ctrl-C stops it
	@HF_ADAPTERS=$(ADAPTERS) bash hack/run.sh

clean: ## remove build output (the control plane cache stays)
	rm -rf build
