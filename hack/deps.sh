#!/usr/bin/env bash
# Installs the Debian packages HyperFleet needs to build, test and run, when
# they are missing. Called by `make deps` (and so by `make run` and
# `make test`): a fresh machine needs nothing else.
set -euo pipefail

# Build and runtime libraries (DESIGN.md section 2), the tools the Makefile
# and hack/ scripts call, and clang for the sanitizer and fuzz builds.
packages=(
	build-essential pkg-config
	libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libwebsockets-dev
	libcriterion-dev
	clang clang-format cppcheck libclang-rt-14-dev
	openssl curl ca-certificates util-linux procps iproute2
	python3 wrk jq shellcheck
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go builds the Kubernetes components of the test control plane (hack/kube).
# Debian's golang-go is too old for Kubernetes 1.33, so a newer Go must be on
# PATH (it is on the machines this project runs on).
need_go="1.24"
if ! command -v go >/dev/null; then
	echo "deps.sh: Go $need_go or newer is required to build the test control plane (hack/kube); install it and put it on PATH" >&2
	exit 1
fi
have_go=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$need_go" "$have_go" | sort -V | head -1)" != "$need_go" ]; then
	echo "deps.sh: Go $have_go is too old; the test control plane needs Go $need_go or newer" >&2
	exit 1
fi
