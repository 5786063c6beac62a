# Versions of the test control plane, sourced by the hack/kube scripts.
# The Go module files next to this script pin the same versions; change both.
KUBE_VERSION=v1.33.13
ETCD_VERSION=v3.5.21
KWOK_VERSION=v0.7.0

# Where built binaries are cached, once per machine, outside the repository.
HF_CACHE_DIR=${HF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hyperfleet}
