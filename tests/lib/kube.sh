# Helpers for tests that talk to the control plane through kubectl.

# new_namespace PREFIX: creates a namespace of its own for one test and
# prints its name. Tests never share objects.
new_namespace() {
	local ns
	ns="$1-$(tr -dc a-z0-9 </dev/urandom | head -c 6)"
	kubectl create namespace "$ns" >/dev/null
	echo "$ns"
}

# apply_yaml NAMESPACE: applies the YAML on stdin in NAMESPACE.
apply_yaml() {
	kubectl apply -n "$1" -f - 2>&1
}
