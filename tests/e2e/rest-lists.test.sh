# Listing clusters through the REST API: the seed filters (seed 000
# journey 3 and its sad path, seed 001 journey 3), paging, order, sparse
# fields, TSL search and its errors, and read-your-writes.
. "$HF_TOP/tests/lib/api.sh"

# lists_cluster NAME REGION LABELS: creates a cluster (201); prints its id.
lists_cluster() {
	api POST /clusters "{\"name\":\"$1\",\"spec\":{\"provider\":\"gcp\",\"region\":\"$2\"},\"labels\":$3}"
	expect_status 201
	json 'd["id"]'
}

# lists_names QUERY: the names of the listed clusters, sorted, comma-separated.
lists_names() {
	api GET "/clusters$1"
	expect_status 200
	json '",".join(sorted(i["name"] for i in d["items"]))'
}

# lists_ordered QUERY: the names in the order listed.
lists_ordered() {
	api GET "/clusters$1"
	expect_status 200
	json '",".join(i["name"] for i in d["items"])'
}

# lists_search TSL [MORE]: the names matching a search (URL-encoded here).
lists_search() {
	local q
	q=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))' "$1")
	lists_names "?search=$q${2:-}"
}

# lists_search_error TSL: the problem of a refused search (400 VAL-005);
# prints its detail.
lists_search_error() {
	local q
	q=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))' "$1")
	api GET "/clusters?search=$q"
	expect_status 400
	assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')" "code of search $1"
	assert_eq "Bad Request" "$(json 'd["title"]')"
	json 'd["detail"]'
}

# lists_make_ready ID ADAPTER: the adapter reports Available=True (201).
lists_make_ready() {
	api PUT "/clusters/$1/statuses" "{\"adapter\":\"$2\",\"observed_generation\":1,\"conditions\":[{\"type\":\"Applied\",\"status\":\"True\"},{\"type\":\"Available\",\"status\":\"True\"},{\"type\":\"Health\",\"status\":\"True\"}]}"
	expect_status 201
}

# lists_seed_clusters: the seed 001 clusters (the staging one in another
# gcp region: the catalog offers gcp only), the production one Ready.
lists_seed_clusters() {
	required_adapters Cluster validation
	local prod
	prod=$(lists_cluster my-test-cluster us-east1 '{"environment":"production","team":"platform","region":"us-east1"}')
	lists_cluster my-staging-cluster us-west1 '{"environment":"staging","team":"platform"}' >/dev/null
	lists_make_ready "$prod" validation
}

test_a_filter_that_matches_nothing_gives_the_seeds_empty_list() {
	api_setup
	lists_cluster lonely us-east1 '{}' >/dev/null
	# Seed 000, journey 3 sad path, scenario 2.
	api GET "/clusters?phase=Ready"
	expect_status 200
	assert_eq "True" "$(json 'd == {"kind":"ClusterList","page":1,"size":0,"total":0,"items":[]}')" "body: $API_BODY"
}

test_the_list_has_the_seeds_envelope_and_items() {
	api_setup
	lists_seed_clusters
	# Seed 001, journey 3, step 1.
	api GET /clusters
	expect_status 200
	assert_eq "['items', 'kind', 'page', 'size', 'total']" "$(json 'sorted(d)')" "envelope members"
	assert_eq "ClusterList" "$(json 'd["kind"]')"
	assert_eq "(1, 2, 2)" "$(json '(d["page"], d["size"], d["total"])')" "page, size, total"
	# Each shows id, name, spec (provider, region), status (phase), labels,
	# timestamps.
	assert_eq "True" "$(json 'all(i["id"] and i["name"] and i["spec"]["provider"] == "gcp" and i["spec"]["region"] and i["status"]["phase"] in ("Ready", "Not Ready") and i["labels"] and i["created_time"] and i["updated_time"] for i in d["items"])')" "items: $API_BODY"
}

test_clusters_are_filtered_by_phase_as_in_the_seeds() {
	api_setup
	lists_seed_clusters
	# Seed 001, journey 3, step 2, and seed 000, journey 3.
	assert_eq "my-staging-cluster" "$(lists_names '?phase=Not%20Ready')" "phase=Not Ready"
	assert_eq "my-staging-cluster" "$(lists_names '?status.phase=Not%20Ready')" "status.phase=Not Ready"
	assert_eq "my-staging-cluster" "$(lists_names '?phase=NotReady')" "phase=NotReady"
	assert_eq "my-test-cluster" "$(lists_names '?phase=Ready')" "phase=Ready"
	assert_eq "my-test-cluster" "$(lists_names '?status.phase=Ready&provider=gcp')" "status.phase=Ready&provider=gcp"
	api GET '/clusters?phase=Not%20Ready'
	assert_eq "1" "$(json 'd["total"]')"
	assert_eq "Not Ready" "$(json 'd["items"][0]["status"]["phase"]')"
}

test_the_seeds_quoted_phase_filter_is_understood() {
	api_setup
	lists_seed_clusters
	# Seed 000, journey 3, as written: GET /clusters?status.phase="Not%20Ready"
	api GET '/clusters?status.phase=%22Not%20Ready%22'
	expect_status 200
	assert_eq "my-staging-cluster" "$(json '",".join(i["name"] for i in d["items"])')" "status.phase=\"Not Ready\""
}

test_clusters_are_filtered_by_labels_provider_region_and_name() {
	api_setup
	lists_seed_clusters
	# Seed 001, journey 3, step 3.
	assert_eq "my-test-cluster" "$(lists_names '?labels=environment:production')" "labels=environment:production"
	assert_eq "my-test-cluster" "$(lists_names '?labels=region:us-east1')" "labels=region:us-east1"
	assert_eq "my-test-cluster" "$(lists_names '?labels=environment:production,team:platform')" "two labels"
	assert_eq "my-staging-cluster,my-test-cluster" "$(lists_names '?labels=team:platform')" "labels=team:platform"
	assert_eq "" "$(lists_names '?labels=environment:production,team:ml')" "labels that no cluster has together"
	assert_eq "my-staging-cluster,my-test-cluster" "$(lists_names '?provider=gcp')" "provider=gcp"
	assert_eq "my-test-cluster" "$(lists_names '?phase=Ready&labels=environment:production')" "phase=Ready&labels=environment:production"
	assert_eq "" "$(lists_names '?phase=Ready&labels=environment:staging')" "phase=Ready&labels=environment:staging"
	assert_eq "my-staging-cluster" "$(lists_names '?region=us-west1')" "region=us-west1"
	assert_eq "my-test-cluster" "$(lists_names '?provider=gcp&region=us-east1&phase=Ready')" "all production GCP clusters in us-east1 that are Ready"
	assert_eq "my-staging-cluster" "$(lists_names '?name=my-staging-cluster')" "name"
	assert_eq "" "$(lists_names '?provider=unsupported-provider')" "provider=unsupported-provider"
	api GET '/clusters?provider=unsupported-provider'
	assert_eq "(1, 0, 0)" "$(json '(d["page"], d["size"], d["total"])')"
}

test_bad_cluster_filters_are_the_seeds_400s() {
	api_setup
	# Seed 000, journey 3 sad path, scenario 1.
	api GET '/clusters?phase=InvalidPhase'
	expect_status 400
	assert_eq "Invalid phase value 'InvalidPhase'. Supported values: Not Ready, Ready" "$(json 'd["error"]')"
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
	api GET '/clusters?status.phase=Pending'
	expect_status 400
	assert_eq "Invalid phase value 'Pending'. Supported values: Not Ready, Ready" "$(json 'd["error"]')"
	local bad
	for bad in environment environment: :production 'environment:production,team'; do
		api GET "/clusters?labels=$bad"
		expect_status 400
		assert_eq "Invalid label filter format. Expected format: key:value" "$(json 'd["error"]')" "labels=$bad"
	done
}

test_pages_sizes_and_order() {
	api_setup
	local n
	for n in bravo alpha delta charlie echo; do
		lists_cluster "$n" us-east1 '{}' >/dev/null
	done
	assert_eq "alpha,bravo,charlie,delta,echo" "$(lists_ordered '?order=name%20asc')" "name asc"
	assert_eq "echo,delta,charlie,bravo,alpha" "$(lists_ordered '?order=name%20desc')" "name desc"
	assert_eq "alpha,bravo,charlie,delta,echo" "$(lists_ordered '?order=name')" "order without a direction"
	local shown='",".join(i["name"] for i in d["items"])' counts='(d["page"], d["size"], d["total"])'
	api GET '/clusters?order=name%20asc&size=2'
	assert_eq "alpha,bravo" "$(json "$shown")" "page 1 of 2"
	assert_eq "(1, 2, 5)" "$(json "$counts")" "page, size, total of page 1"
	api GET '/clusters?order=name%20asc&size=2&page=2'
	assert_eq "charlie,delta" "$(json "$shown")" "page 2"
	api GET '/clusters?order=name%20asc&size=2&page=3'
	assert_eq "echo" "$(json "$shown")" "page 3"
	assert_eq "(3, 1, 5)" "$(json "$counts")" "page, size, total of page 3"
	api GET '/clusters?order=name%20asc&size=2&page=4'
	expect_status 200
	assert_eq "(4, 0, 5)" "$(json "$counts")" "page, size, total beyond the end"
	assert_eq "[]" "$(json 'd["items"]')"
	# pageSize is an alias of size.
	assert_eq "alpha,bravo,charlie" "$(lists_ordered '?order=name%20asc&pageSize=3')" "pageSize=3"
	# The default size is 20 and the most is 100.
	api GET '/clusters?size=100'
	expect_status 200
	assert_eq "5" "$(json 'd["size"]')"
	# Two orders: by generation, then name.
	local echo_id
	api GET '/clusters?name=echo'
	echo_id=$(json 'd["items"][0]["id"]')
	api PATCH "/clusters/$echo_id" '{"spec":{"provider":"gcp","region":"asia-east1"}}'
	expect_status 200
	assert_eq "echo,alpha,bravo,charlie,delta" "$(lists_ordered '?order=generation%20desc,name%20asc')" "generation desc, name asc"
}

test_order_may_be_repeated_as_in_the_original() {
	api_setup
	local n id
	# Created in name order: newest first (the default) is the reverse.
	for n in alpha bravo charlie delta echo foxtrot; do
		lists_cluster "$n" us-east1 '{}' >/dev/null
	done
	api GET '/clusters?name=foxtrot'
	id=$(json 'd["items"][0]["id"]')
	api PATCH "/clusters/$id" '{"spec":{"provider":"gcp","region":"us-west1"}}'
	expect_status 200
	assert_eq "foxtrot,alpha,bravo,charlie,delta,echo" "$(lists_ordered '?order=generation%20desc,name%20asc')" "comma list"
	# The original takes order as a comma list or repeated.
	assert_eq "foxtrot,alpha,bravo,charlie,delta,echo" "$(lists_ordered '?order=generation%20desc&order=name%20asc')" "repeated order"
}

test_bad_pages_sizes_and_orders_are_400s() {
	api_setup
	local q field
	for q in page=0 page=-1 page=abc size=0 size=101 size=abc pageSize=500 'page=1.5'; do
		api GET "/clusters?$q"
		expect_status 400
		assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')" "code of $q"
		field=${q%%=*}
		[ "$field" != pageSize ] || field=size
		assert_eq "$field" "$(json 'd["errors"][0]["field"]')" "field of $q"
	done
	api GET '/clusters?size=101'
	assert_eq "size must be at most 100" "$(json 'd["detail"]')"
	api GET '/clusters?order=nonsense%20asc'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')"
	assert_eq "invalid field in search or order query" "$(json 'd["detail"]')"
	api GET '/clusters?order=name%20sideways'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')"
	api GET '/clusters?order=NAME'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-005" "$(json 'd["code"]')"
}

test_fields_give_sparse_items() {
	api_setup
	lists_cluster sparse us-east1 '{"team":"a"}' >/dev/null
	api GET '/clusters?fields=name,status'
	expect_status 200
	assert_eq "['id', 'name', 'status']" "$(json 'sorted(d["items"][0])')" "members of a sparse item"
	assert_eq "ClusterList" "$(json 'd["kind"]')"
	api GET '/clusters?fields=id'
	assert_eq "['id']" "$(json 'sorted(d["items"][0])')"
	api GET '/clusters?fields=name,secret'
	expect_status 400
	assert_eq "HYPERFLEET-VAL-000" "$(json 'd["code"]')"
}

test_search_takes_the_tree_search_language() {
	api_setup
	local prod
	prod=$(lists_cluster prod-east us-east1 '{"env":"prod","team":"platform"}')
	lists_cluster prod-west us-west1 '{"env":"prod","team":"ml"}' >/dev/null
	lists_cluster dev-east us-east1 '{"env":"dev"}' >/dev/null
	assert_eq "prod-east" "$(lists_search "name = 'prod-east' and labels.env = 'prod'")" "name and label"
	assert_eq "prod-east,prod-west" "$(lists_search "labels.env = 'prod'")" "label"
	assert_eq "dev-east,prod-east" "$(lists_search "spec.region = 'us-east1'")" "spec field"
	assert_eq "dev-east,prod-west" "$(lists_search "name in ['dev-east', 'prod-west']")" "in"
	assert_eq "dev-east,prod-west" "$(lists_search "name = 'dev-east' or spec.region = 'us-west1'")" "or"
	assert_eq "dev-east,prod-west" "$(lists_search "not (name = 'prod-east')")" "not"
	assert_eq "prod-east" "$(lists_search "(labels.env = 'prod' or labels.env = 'dev') and labels.team = 'platform'")" "parentheses"
	assert_eq "dev-east,prod-east,prod-west" "$(lists_search "generation = 1")" "generation"
	assert_eq "prod-west" "$(lists_search "labels.env = 'prod'" '&region=us-west1')" "search with a filter"
	assert_eq "prod-east,prod-west" "$(lists_search "labels.env = 'prod'" '&phase=Not%20Ready')" "search with a phase"
	# Status conditions: the one cluster made Ready.
	required_adapters Cluster validation
	lists_make_ready "$prod" validation
	assert_eq "prod-east" "$(lists_search "status.conditions.Reconciled = 'True'")" "Reconciled = True"
	# The others are evaluated by the controller first.
	lists_two_not_reconciled() {
		[ "$(lists_search "status.conditions.Reconciled = 'False'")" = "dev-east,prod-west" ]
	}
	wait_for 30 "two clusters with Reconciled False" lists_two_not_reconciled
	assert_eq "prod-east" "$(lists_search "status.conditions.Reconciled.observed_generation = 1 and status.conditions.Reconciled = 'True'")" "a condition's field"
	assert_eq "dev-east,prod-east,prod-west" "$(lists_search "created_time > '2020-01-01T00:00:00Z'")" "a time"
}

test_bad_searches_are_400s_with_the_original_messages() {
	api_setup
	assert_eq "invalid field in search or order query" "$(lists_search_error "unknown_field = 'x'")"
	assert_eq "NOT operator is not supported with label queries" "$(lists_search_error "not labels.env = 'prod'")"
	assert_contains "$(lists_search_error "status.conditions.Reconciled != 'True'")" "only equality operator (=) is supported for condition status queries"
	assert_contains "$(lists_search_error "name = ")" "failed to parse search query"
	assert_contains "$(lists_search_error "name = 'x' and (labels.env = 'y'")" "failed to parse search query"
	local d
	d=$(lists_search_error "label.env = 'x'")
	[ -n "$d" ] || fail "no detail for a bad related resource"
	d=$(lists_search_error "status.conditions.reconciled = 'True'")
	[ -n "$d" ] || fail "no detail for a lowercase condition type"
	lists_search_error "generation = 'one'" >/dev/null
	lists_search_error "created_time > 'yesterday'" >/dev/null
}

test_a_created_cluster_is_at_once_readable_and_listed() {
	api_setup
	local i id ids=()
	for i in 1 2 3 4 5; do
		api POST /clusters "{\"name\":\"ryw-$i\",\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\"}}"
		expect_status 201
		id=$(json 'd["id"]')
		ids+=("$id")
		# The next read by id, and a list by name, show it.
		api GET "/clusters/$id"
		expect_status 200
		assert_eq "ryw-$i" "$(json 'd["name"]')" "GET of cluster $i"
		api GET "/clusters?name=ryw-$i"
		assert_eq "$id" "$(json '",".join(x["id"] for x in d["items"])')" "list by name of cluster $i"
		api GET /clusters
		assert_eq "$i" "$(json 'd["total"]')" "total after $i creates"
	done
	# And a PATCH's answer matches the next read.
	api PATCH "/clusters/${ids[0]}" '{"labels":{"seen":"yes"}}'
	expect_status 200
	api GET '/clusters?labels=seen:yes'
	assert_eq "ryw-1" "$(json '",".join(x["name"] for x in d["items"])')" "list after a PATCH"
}
