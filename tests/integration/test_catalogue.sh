#!/usr/bin/env bash
# The cluster catalogue through the real binaries: an approved supplier
# publishes from flags and from a file, shows, filters, updates, sets units
# offline, delists and relists; a user, a pending supplier and a rival supplier
# are refused what they may not do; bad input changes nothing.
# [R-CL-1] [R-CL-2] [R-CL-3] [R-CL-4] [R-CL-5] [R-CL-6] [R-CL-7] [R-API-IVCPC] [R-SEC-1]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"

# supplier NAME PHONE: an individual supplier, activated; approved unless $2 says pending.
supplier() {
  echo "$PW" | as "$1" register --supplier --kind individual --username "$1" --email "$1@example.org" \
    --phone "$2" --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市南山区 \
    --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
  as "$1" activate --username "$1" "$(code_for "$1@example.org")" >/dev/null
  [ "${3:-}" = pending ] || as root admin review approve "$1" >/dev/null
  echo "$PW" | as "$1" login --username "$1" --password-stdin >/dev/null
}
supplier acme 13800138101
supplier rival 13800138102
supplier newco 13800138103 pending
echo "$PW" | as alice register --user-type individual --username alice --email alice@example.org \
  --phone 13800138104 --region 深圳 --real-name 李四 --id-number 11010519491231002X --password-stdin --accept-terms >/dev/null
as alice activate --username alice "$(code_for alice@example.org)" >/dev/null
echo "$PW" | as alice login --username alice --password-stdin >/dev/null

publish_flags=(--class A --resource-type GPU --model 'A100 80GB' --units 8 --unit-memory 80GB --memory 1TB
  --vcpus 128 --price-hourly 25.00 --price-monthly 15000 --vendor Acme --location 深圳市 --region 深圳
  --storage '2x3.84TB nvme data, 480GB ssd system' --cuda 12.4 --framework 'pytorch 2.3' --framework 'jax 0.4'
  --usage 'ssh in, then: conda activate' --ssh-host gpu01.example.org --ssh-user cpadmin)

step "refused: a user, a pending supplier"
expect_error FORBIDDEN 4 alice publish "${publish_flags[@]}"
expect_error FORBIDDEN 4 newco publish "${publish_flags[@]}"

step "bad input is refused and writes nothing"
expect_error VALIDATION_FAILED 2 acme publish "${publish_flags[@]}" --price-hourly -5
expect_error VALIDATION_FAILED 2 acme publish "${publish_flags[@]}" --storage '2x3.84XB nvme'
expect_error VALIDATION_FAILED 2 acme publish --class A --model x
echo '{"class":"A","prices":{"hourly":100,"weekly":5}}' >"$T/bad.json"
expect_error VALIDATION_FAILED 2 acme publish --file "$T/bad.json"
[ "$(db 'SELECT COUNT(*) FROM clusters')" = 0 ] || fail "a refused publish wrote a cluster"

step "publish from flags: human units in, integers on the wire"
out=$(as acme --json publish "${publish_flags[@]}") || fail "publish: $out"
id=$(jq -r .cluster.cpc_id <<<"$out")
[[ $id =~ ^cp-[0-9a-z]{10}$ ]] || fail "CPcId shape: $id"
jq -e '.cluster | .unit_memory == 80000000000 and .memory == 1000000000000 and .prices.hourly == 2500
  and .prices.monthly == 1500000 and .prices.daily == null and .storage.total_bytes == 8160000000000
  and .units_free == 8 and .status == "listed"' <<<"$out" >/dev/null || fail "published cluster: $out"

step "publish from a file (the API's own schema); ids differ"
cat >"$T/b.json" <<'JSON'
{"class":"B","resource_type":"GPU","model":"RTX 4090","units":4,"unit_memory":24000000000,
 "memory":256000000000,"vcpus":32,"prices":{"hourly":800},"vendor":"Bolt","location":"广州市","region":"广州",
 "storage":{"description":"2TB nvme"},"access":{"platform_url":"https://bolt.example.com","environments":["pytorch"]}}
JSON
out2=$(as acme --json publish --file "$T/b.json")
id2=$(jq -r .cluster.cpc_id <<<"$out2")
[[ $id2 =~ ^cp- ]] && [ "$id2" != "$id" ] || fail "second CPcId: $id2"
# A B-class cluster is offline, and not offered, until its agent's first
# report (issue 11): one sample with its agent token brings it online.
as alice --json filter 'class=B' | jq -e '.items == []' >/dev/null || fail "an offline B-class cluster is offered"
curl -sf -o /dev/null -X POST "$URL/api/v1/clusters/$id2/metrics" -H "Authorization: Bearer $(jq -r .agent_token <<<"$out2")" \
  -H 'Content-Type: application/json' --data-binary '{"samples":[{"at":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'","cpu":null,
  "memory":null,"mounts":[],"interfaces":[],"sensors":[],"gpu_source":"none","gpu_error":null,"gpus":[],"network":null}],
  "dropped":0}' || fail "the B-class cluster's agent report was refused"
[ "$(as acme --json show "$id2" | jq -r .cluster.health)" = online ] || fail "B-class cluster not online after a report"

step "show: every field, status, per-unit grid; others do not see the SSH access"
as alice --json show "$id" | jq -e '.cluster.model == "A100 80GB" and (.units | length) == 8
  and (.cluster.access | has("nodes") | not)' >/dev/null || fail "show as user"
as acme --json show "$id" | jq -e '.cluster.access.nodes[0].host == "gpu01.example.org"' >/dev/null || fail "show as owner"
grep -q 'A100 80GB' <<<"$(as alice show "$id")" || fail "human show lacks the model"

step "filter (the issue's example), sort, mistakes point at the term"
as alice --json filter 'class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市' --sort price_hourly |
  jq -e --arg id "$id" '[.items[].cpc_id] == [$id]' >/dev/null || fail "filter example"
as alice --json filter 'unit_memory>=20GB' --sort price_hourly |
  jq -e --arg a "$id" --arg b "$id2" '[.items[].cpc_id] == [$b, $a]' >/dev/null || fail "sort by price"
out=$(as alice --json filter 'modle~A100' || true)
jq -e '.error.code == "VALIDATION_FAILED" and (.error.message | contains("did you mean model?"))' <<<"$out" >/dev/null ||
  fail "unknown field: $out"
expect_error VALIDATION_FAILED 2 alice filter 'units=>4'
# Said once on stderr, not as the message and again as the field's line (issue 8).
rc=0
as alice filter 'bad syntax' 2>"$T/filter.err" || rc=$?
[ $rc = 2 ] || fail "a bad filter exited $rc, expected 2"
[ "$(grep -c "expected an operator" "$T/filter.err")" = 1 ] || fail "the filter error is not printed once: $(cat "$T/filter.err")"
grep -q 深圳市 <<<"$(as alice list)" || fail "human list lacks the location"

step "nodes: a B-class cluster has none, so no nodes term matches it and a sort puts it last"
as alice --json filter 'nodes_free<1' | jq -e '.items == []' >/dev/null || fail "nodes_free<1 matched a B-class cluster"
as alice --json filter 'nodes!=5' | jq -e --arg id "$id" '[.items[].cpc_id] == [$id]' >/dev/null || fail "nodes!=5"
for s in nodes_free nodes_free-; do
  as alice --json list --region any --sort $s | jq -e --arg a "$id" --arg b "$id2" '[.items[].cpc_id] == [$a, $b]' \
    >/dev/null || fail "--sort $s: $(as alice --json list --region any --sort $s)"
done

step "the query string as curl users type it: a pair splits at its first '=', a parameter given twice is refused"
alice_token=$(jq -r '.servers[].token' "$T/cfg/alice/hosts.json")
# get QUERY: GET /api/v1/clusters?QUERY as alice, exactly as written (curl sends '=', '>' and '%' unencoded);
# the body goes to $T/q.json, the status to stdout.
get() { curl -s -o "$T/q.json" -w '%{http_code}' -H "Authorization: Bearer $alice_token" "$URL/api/v1/clusters?$1"; }
[ "$(get 'filter=class=A')" = 200 ] && jq -e --arg id "$id" '[.data.items[].cpc_id] == [$id]' "$T/q.json" >/dev/null ||
  fail "filter=class=A: $(cat "$T/q.json")"
[ "$(get 'filter=units_free>=8+price_hourly<=30&sort=price_hourly')" = 200 ] &&
  jq -e --arg id "$id" '[.data.items[].cpc_id] == [$id]' "$T/q.json" >/dev/null || fail "unencoded >=: $(cat "$T/q.json")"
[ "$(get 'filter=reliability>=0.95')" = 200 ] || fail "filter=reliability>=0.95: $(cat "$T/q.json")"
[ "$(get 'filter=unit_memory%3E%3D20GB&sort=price_hourly%2B')" = 200 ] &&
  jq -e --arg a "$id" --arg b "$id2" '[.data.items[].cpc_id] == [$b, $a]' "$T/q.json" >/dev/null ||
  fail "percent-encoded query: $(cat "$T/q.json")"
# A stray '%' stays itself (URL Standard); the ratio's message says what is wrong (over 100%, too many decimals).
[ "$(get 'filter=reliability>=150%')" = 422 ] && jq -e '.error.fields[0].message | contains("is over 100%")' \
  "$T/q.json" >/dev/null || fail "reliability>=150%: $(cat "$T/q.json")"
[ "$(get 'filter=reliability>=0.4999999')" = 422 ] && jq -e '.error.fields[0].message |
  contains("has more than 6 decimals")' "$T/q.json" >/dev/null || fail "reliability>=0.4999999: $(cat "$T/q.json")"
for q in 'sort=price_hourly&sort=price_hourly-' 'filter=class=A&limit=5&filter=class=B' 'limit=5&limit=5'; do
  name=${q%%=*}
  [ "$(get "$q")" = 422 ] && jq -e --arg n "$name" '.error.code == "VALIDATION_FAILED" and .error.fields[0].field == $n
    and (.error.fields[0].message | contains("more than once"))' "$T/q.json" >/dev/null || fail "?$q: $(cat "$T/q.json")"
done
code=$(curl -s -o "$T/q.json" -w '%{http_code}' -H "Authorization: Bearer $alice_token" \
  "$URL/api/v1/leases?state=active&state=ended")
[ "$code" = 422 ] && jq -e '.error.code == "VALIDATION_FAILED" and .error.fields[0].field == "state"' "$T/q.json" \
  >/dev/null || fail "leases?state twice: $code $(cat "$T/q.json")"

step "update: price change; others refused"
as acme --json update "$id" --price-hourly 30.50 | jq -e '.cluster.prices.hourly == 3050' >/dev/null || fail "update"
expect_error FORBIDDEN 4 rival update "$id" --price-hourly 1
expect_error FORBIDDEN 4 alice update "$id" --price-hourly 1

step "update --node: the nodes replace the cluster's, keeping its units and admin user; IPv6 in brackets"
out=$(as acme update "$id" --node gpu01.example.org --node '[0:0::1]:2222') || fail "update --node: $out"
grep -q "Not verified yet: node 0 (gpu01.example.org:22), node 1 (\[::1\]:2222)" <<<"$out" ||
  fail "update --node does not say which nodes to verify: $out"
as acme --json show "$id" | jq -e '.cluster.units == 8 and [.cluster.access.nodes[] | [.host, .port, .user, .units]]
  == [["gpu01.example.org", 22, "cpadmin", 4], ["::1", 2222, "cpadmin", 4]]' >/dev/null ||
  fail "nodes after update: $(as acme --json show "$id")"
grep -q 'cpadmin@\[::1\]:2222' <<<"$(as acme show "$id")" || fail "show does not bracket the IPv6 node"
# Without brackets the port could be read as part of the address: refused before anything is sent.
out=$(as acme --json update "$id" --node gpu01.example.org --node ::1:2222 2>/dev/null) &&
  fail "an IPv6 node without brackets was accepted: $out"
jq -e '.error.code == "VALIDATION_FAILED" and (.error.message | contains("write an IPv6 node in brackets"))' \
  <<<"$out" >/dev/null || fail "no hint at brackets: $out"
# One address, two spellings: the same node.
echo '{"access":{"nodes":[{"host":"::1","user":"a","units":4},{"host":"0:0:0:0:0:0:0:1","user":"a","units":4}]}}' \
  >"$T/twice.json"
out=$(as acme --json update "$id" --file "$T/twice.json" 2>/dev/null) && fail "two spellings of one node accepted: $out"
jq -e '.error.fields[0] | .field == "access.nodes[1]" and (.message | contains("repeats [::1]:22"))' \
  <<<"$out" >/dev/null || fail "the repeated node is not named: $out"
# More nodes than the cluster has: said so, not "free nodes".
out=$(as alice --json lease "$id" --nodes 3 --billing hourly 2>/dev/null) && fail "a lease of 3 of 2 nodes: $out"
jq -e '.error.code == "UNITS_UNAVAILABLE" and (.error.message | contains("has 2 nodes in all"))' <<<"$out" \
  >/dev/null || fail "lease --nodes 3: $out"

step "units: set offline for maintenance, then idle"
as acme units set "$id" 3 offline >/dev/null
as alice --json units "$id" | jq -e '.items[3].status == "offline" and .items[2].status == "idle"' >/dev/null ||
  fail "unit 3 not offline"
as alice --json show "$id" | jq -e '.cluster.units_free == 7' >/dev/null || fail "units_free after offline"
expect_error FORBIDDEN 4 rival units set "$id" 2 offline
expect_error NOT_FOUND 5 acme units set "$id" 8 offline
as acme units set "$id" 3 idle >/dev/null

step "delist: no longer offered, still the owner's; relist"
as acme delist "$id" >/dev/null
as alice --json filter 'model~A100' | jq -e '.items | length == 0' >/dev/null || fail "delisted still offered"
expect_error NOT_FOUND 5 alice show "$id"
as acme --json list --mine | jq -e --arg id "$id" '[.items[] | select(.cpc_id == $id and .status == "delisted")] | length == 1' \
  >/dev/null || fail "list --mine lacks the delisted cluster"
expect_error NOT_FOUND 5 rival relist "$id"   # delisted: hidden from everyone but its owner
as acme relist "$id" >/dev/null
as alice --json filter 'model~A100' | jq -e '.items | length == 1' >/dev/null || fail "relisted not offered"

step "the audit log keeps every change"
as root --json admin audit --username acme | jq -e '[.items[].event] | contains(["cluster_published",
  "cluster_updated", "unit_status_changed", "cluster_delisted", "cluster_relisted"])' >/dev/null || fail "audit"
step "approving a lease on nodes not verified yet says the redeem would fail"
lease=$(as alice --json lease "$id" --nodes 1 --billing hourly | jq -r .lease.lease_id)
out=$(as acme approve "$lease") || fail "approve: $out"
grep -q "the lease's node 0 (gpu01.example.org:22) is not verified yet, so the redeem would fail: run cpshare cluster verify $id first" <<<"$out" ||
  fail "approve does not warn of unverified nodes: $out"
# Fewer units than nodes: refused before anything is sent.
expect_error VALIDATION_FAILED 2 acme update "$id" --node gpu01.example.org --node gpu02.example.org --units 1
echo "PASS"
