#!/usr/bin/env bash
# The project's static checks: C formatting, cppcheck, banned functions,
# generated CRDs up to date, adapter configs, shell syntax. Exits non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "lint: $*" >&2; status=1; }

c_files=$(find controller tests bench -name '*.[ch]' | sort)

# Formatting (.clang-format).
if ! clang-format --dry-run --Werror $c_files 2>/tmp/hf-lint-format.$$; then
	head -40 /tmp/hf-lint-format.$$ >&2
	fail "C sources are not formatted: run 'make format'"
fi
rm -f /tmp/hf-lint-format.$$

# Banned functions (CONVENTIONS.md): unbounded or non-reentrant.
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)[[:space:]]*\(' $c_files; then
	fail "banned function used (strcpy, strcat, sprintf, vsprintf, strtok, atoi, atol, gets)"
fi

# cppcheck: real warnings only; the compiler already covers style.
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,performance,portability \
	--inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -I controller \
	--include=/usr/include/cjson/cJSON.h controller 2>&1; then
	fail "cppcheck found problems"
fi

# CRDs are generated from crds/src.
bash hack/gen-crds.sh --check || status=1

# Every Adapter config we ship or show loads (expressions and templates
# parsed and checked).
if ! build/release/hyperfleet adapter lint adapters/*/*.yaml manifests/samples/adapter.yaml >/tmp/hf-lint-adapters.$$ 2>&1; then
	grep -v ': ok$' /tmp/hf-lint-adapters.$$ >&2
	fail "an adapter config does not load"
fi
rm -f /tmp/hf-lint-adapters.$$

# Shell scripts parse.
for f in $(find hack tests bench -name "*.sh") .ci/run; do
	bash -n "$f" || fail "$f does not parse"
done

[ $status -eq 0 ] && echo "lint: clean"
exit $status
