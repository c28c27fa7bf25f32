#!/usr/bin/env bash
# The B-class lease lifecycle end to end (issue 11, Build point 2): the real daemon, a
# supplier's B-class cluster with two environments, its real `cpshare agent
# --provision-hook HOOK`. HOOK is this test's script: on provision it registers a new
# bearer token with a real local HTTP service standing for the supplier's platform (a
# python3 http.server that answers 200 only to a registered token, 401 otherwise) and
# prints the access; on deprovision it forgets the token. The hook fails until the test
# lets it succeed, so the retry and the error shown to the supplier are seen. The user
# leases with --environment, waits for active, reads the access and reaches the service
# with it; the supplier sees the lease active but never the secret; release runs the
# deprovision step (the token stops working) and frees the units; the bill runs from
# activation to the end. Another cluster's agent token cannot fetch this cluster's work.
# [R-LEASE-6] [R-LEASE-7]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138611
make_user alice 13800138612
make_user bob 13800138613

publish_b() {
  as acme --json publish --class B --resource-type GPU --model 'H200 141GB' --units 2 --unit-memory 141GB \
    --memory 2TB --vcpus 192 --price-hourly 30 --vendor Acme --location 深圳市 --region 深圳 --storage '8TB nvme' \
    --platform-url https://platform.example.org "$@"
}
out=$(publish_b --environment pytorch --environment tensorflow)
cpc=$(jq -r .cluster.cpc_id <<<"$out")
(umask 077 && jq -r .agent_token <<<"$out" >"$T/agent.token")
other=$(publish_b --environment jupyterlab)
other_cpc=$(jq -r .cluster.cpc_id <<<"$other")
other_token=$(jq -r .agent_token <<<"$other")
token=$(cat "$T/agent.token")

step "the supplier's platform: a local HTTP service that wants a registered bearer token"
svc_port=$(free_port)
mkdir -p "$T/tokens"
cat >"$T/service.py" <<'EOF'
import http.server, os, sys
TOKENS = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        tok = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        ok = tok != "" and "/" not in tok and os.path.exists(os.path.join(TOKENS, tok))
        self.send_response(200 if ok else 401)
        self.end_headers()
        self.wfile.write(b"welcome\n" if ok else b"who are you?\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
python3 "$T/service.py" "$svc_port" "$T/tokens" </dev/null >"$T/service.log" 2>&1 &
svc_pid=$!
wait_for_port "$svc_port" "$svc_pid" "the service" "$T/service.log"

# The hook: the lease JSON on stdin; provision fails (exit 1, a message on stderr) until
# $T/allow exists; each run is logged with its step and stdin.
cat >"$T/hook.sh" <<EOF
#!/bin/sh
set -e
lease=\$(cat)
echo "\$1 \$lease" >>"$T/hook.log"
id=\$(printf '%s' "\$lease" | jq -r .lease_id)
case "\$1" in
provision)
  if [ ! -e "$T/allow" ]; then echo "the platform's quota service is down" >&2; exit 1; fi
  tok=tk_\$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "\$id" >"$T/tokens/\$tok"
  user=\$(printf '%s' "\$lease" | jq -r .user)
  env=\$(printf '%s' "\$lease" | jq -r .environment)
  printf '{"url":"http://127.0.0.1:$svc_port/","username":"%s","token":"%s","notes":"environment %s"}\n' "\$user" "\$tok" "\$env" ;;
deprovision)
  grep -l -x "\$id" "$T/tokens"/* 2>/dev/null | xargs -r rm -f ;;
esac
EOF
chmod +x "$T/hook.sh"

step "another cluster's agent token cannot fetch this cluster's work; a session token is not an agent's"
code=$(curl -s -o "$T/resp" -w '%{http_code}' "$URL/api/v1/clusters/$cpc/agent/work" -H "Authorization: Bearer $other_token")
[ "$code" = 403 ] && [ "$(jq -r .error.code "$T/resp")" = FORBIDDEN ] || fail "other cluster's token: $code $(cat "$T/resp")"
owner=$(jq -r '.servers[].token' "$T/cfg/acme/hosts.json")
code=$(curl -s -o "$T/resp" -w '%{http_code}' "$URL/api/v1/clusters/$cpc/agent/work" -H "Authorization: Bearer $owner")
[ "$code" = 401 ] || fail "a session token fetched agent work: $code $(cat "$T/resp")"
curl -sf "$URL/api/v1/clusters/$other_cpc/agent/work" -H "Authorization: Bearer $other_token" |
  jq -e '.data.items == []' >/dev/null || fail "the other cluster's own work list is not empty"

step "the agent runs with the hook (before any lease)"
"$CPSHARE" --server "$URL" agent --cluster "$cpc" --token-file "$T/agent.token" --state-dir "$T/state" --gpu none \
  --interval 1 --provision-hook "$T/hook.sh" --hook-timeout 20 </dev/null >"$T/agent.log" 2>&1 &
agent_pid=$!
cleanup_agent() { kill "$agent_pid" "$svc_pid" 2>/dev/null || true; wait "$agent_pid" "$svc_pid" 2>/dev/null || true; }
trap 'cleanup_agent; cleanup' EXIT
sleep 2

step "--environment: required among two, one of the cluster's, refused for A-class"
# The other cluster's agent reports once, so that it is online and offered (automatic status).
(umask 077 && echo "$other_token" >"$T/other.token")
"$CPSHARE" --server "$URL" agent --cluster "$other_cpc" --token-file "$T/other.token" --state-dir "$T/other-state" \
  --gpu none --once >/dev/null || fail "the other cluster's agent could not report"
as alice --json lease "$cpc" --units 1 --billing hourly >"$T/out" 2>&1 && fail "a lease without --environment was taken"
jq -e '.error.code == "VALIDATION_FAILED" and (.error.fields[] | select(.field | startswith("environment"))
       | .message | (contains("pytorch") and contains("tensorflow")))' "$T/out" >/dev/null ||
  fail "no environment: $(cat "$T/out")"
as alice --json lease "$cpc" --units 1 --billing hourly --environment cuda >"$T/out" 2>&1 && fail "cuda accepted"
jq -e '.error.fields[0].message | contains("not one of")' "$T/out" >/dev/null || fail "bad environment: $(cat "$T/out")"
expect_error VALIDATION_FAILED 2 alice lease "$other_cpc" --units 1 --billing hourly --environment pytorch
[ "$(db "SELECT COUNT(*) FROM leases")" = 0 ] || fail "a refused request left a lease"

step "alice leases with --environment; the hook fails first, the supplier sees why, then it is retried"
lease=$(as alice --json lease "$cpc" --units 1 --billing hourly --environment tensorflow | jq -r .lease.lease_id)
[ -n "$lease" ] && [ "$lease" != null ] || fail "no lease"
jq -e '.lease.state == "provisioning" and .lease.environment == "tensorflow" and .lease.agent == null' \
  <(as alice --json leases show "$lease") >/dev/null || fail "alice's view of the new lease"
for _ in $(seq 1 60); do
  as acme --json leases show "$lease" >"$T/sup.json"
  jq -e '.lease.agent.attempts >= 2' "$T/sup.json" >/dev/null && break
  sleep 0.5
done
jq -e '.lease.state == "provisioning" and .lease.agent.step == "provision"
       and (.lease.agent.last_error | contains("exited with status 1") and contains("quota service is down"))
       and .lease.agent.last_error_at != null' "$T/sup.json" >/dev/null ||
  fail "the supplier does not see the failing hook: $(cat "$T/sup.json")"
as acme leases show "$lease" | grep -q "quota service is down" || fail "the supplier's text view lacks the error"
jq -e '.lease.agent == null' <(as alice --json leases show "$lease") >/dev/null || fail "the user sees the hook's error"
expect_error CONFLICT 1 alice leases show "$lease" --access
grep '^provision ' "$T/hook.log" | head -1 | cut -d' ' -f2- | jq -e --arg l "$lease" '.action == "provision"
  and .lease_id == $l and .user == "alice" and .units == [{"index": 0, "gpu_uuid": null}]
  and .environment == "tensorflow" and .planned_end == null and .attempts == 0 and .last_error == null' >/dev/null ||
  fail "the hook did not get the lease JSON on stdin: $(head -2 "$T/hook.log")"
grep '^provision ' "$T/hook.log" | sed -n 2p | cut -d' ' -f2- | jq -e '.attempts == 1 and (.last_error | contains("quota"))' \
  >/dev/null || fail "the retry did not carry the attempt count: $(sed -n 2p "$T/hook.log")"
touch "$T/allow"
for _ in $(seq 1 60); do
  state=$(as alice --json leases show "$lease" | jq -r .lease.state)
  [ "$state" = active ] && break
  sleep 0.5
done
[ "$state" = active ] || fail "the lease did not become active: $state; agent log: $(tail -5 "$T/agent.log")"

step "alice reads the access and reaches the service with it; without it, 401"
as alice --json leases show "$lease" --access >"$T/access.json"
url=$(jq -r .platform_access.url "$T/access.json")
tok=$(jq -r .platform_access.token "$T/access.json")
jq -e '.platform_access.method == "platform" and .platform_access.username == "alice"
       and .platform_access.environment == "tensorflow" and .platform_access.notes == "environment tensorflow"
       and .platform_access.gpu_indices == [0] and .platform_access.password == null and (has("access") | not)' \
  "$T/access.json" >/dev/null || fail "the access: $(cat "$T/access.json")"
as alice leases show "$lease" --access >"$T/access.txt"; grep -q "^Token: *$tok" "$T/access.txt" || fail "the text view does not show the token: $(cat "$T/access.txt")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")" = 200 ] ||
  fail "the handed-over token does not reach the service"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 401 ] || fail "the service answers without a token"

step "the supplier sees it active, never the secret; the secret is sealed at rest; units busy"
as acme --json leases show "$lease" >"$T/sup.json"
jq -e '.lease.state == "active" and .lease.agent.step == "none" and .lease.started_at != null' "$T/sup.json" >/dev/null ||
  fail "supplier's view: $(cat "$T/sup.json")"
as acme --json leases --incoming >"$T/inc.json"
! grep -q "$tok" "$T/sup.json" "$T/inc.json" || fail "the supplier's view holds the token"
expect_error FORBIDDEN 4 acme leases show "$lease" --access
db "SELECT hex(access_enc) FROM leases WHERE lease_id = '$lease'" >"$T/enc"
hex_tok=$(printf '%s' "$tok" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
[ -s "$T/enc" ] && ! grep -q "$hex_tok" "$T/enc" || fail "the access is not sealed at rest"
[ "$(db "SELECT u.status FROM cluster_units u JOIN clusters c ON c.id = u.cluster_id WHERE c.cpc_id = '$cpc' AND u.idx = 0")" = busy ] ||
  fail "the leased unit is not busy"

step "a repeated access report is CONFLICT (accepted once); a report for another cluster's lease is refused"
code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/agent/leases/$lease/access" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"url":"http://127.0.0.1:1/","username":"x","password":"y"}')
[ "$code" = 409 ] && [ "$(jq -r .error.code "$T/resp")" = CONFLICT ] || fail "repeated access: $code $(cat "$T/resp")"
code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/agent/leases/$lease/released" \
  -H "Authorization: Bearer $other_token" -H 'Content-Type: application/json' -d '{}')
[ "$code" = 403 ] || fail "another cluster's token reported a release: $code $(cat "$T/resp")"
code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/agent/leases/$lease/released" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}')
[ "$code" = 409 ] || fail "a release report for an active lease: $code $(cat "$T/resp")"
as alice --json leases show "$lease" --access | jq -e --arg t "$tok" '.platform_access.token == $t' >/dev/null ||
  fail "a refused report changed the access"

step "release: the deprovision step runs, the token stops working, the units return to idle"
sleep 1
as alice --json release "$lease" >"$T/released.json"
for _ in $(seq 1 60); do
  as acme --json leases show "$lease" >"$T/sup.json"
  jq -e '.lease.agent.step == "done"' "$T/sup.json" >/dev/null && break
  sleep 0.5
done
jq -e '.lease.state == "ended" and .lease.agent.units_freed_at != null' "$T/sup.json" >/dev/null ||
  fail "the units were not freed: $(cat "$T/sup.json"); agent log: $(tail -5 "$T/agent.log")"
grep '^deprovision ' "$T/hook.log" | cut -d' ' -f2- | jq -e --arg l "$lease" 'select(.lease_id == $l)
  | .action == "deprovision" and .environment == "tensorflow"' >/dev/null || fail "deprovision did not run"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")" = 401 ] ||
  fail "the token still reaches the service after release"
[ "$(db "SELECT COUNT(*) FROM cluster_units u JOIN clusters c ON c.id = u.cluster_id WHERE c.cpc_id = '$cpc' AND u.status = 'idle'")" = 2 ] ||
  fail "the units are not idle"
code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/clusters/$cpc/agent/leases/$lease/released" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}')
[ "$code" = 409 ] || fail "a repeated release report: $code $(cat "$T/resp")"

step "the bill runs from activation to the end"
as alice --json leases show "$lease" >"$T/final.json"
read -r created started ended charged < <(jq -r '.lease | [.created_at, .started_at, .ended_at, .charged] | @tsv' "$T/final.json")
s=$(date -d "$started" +%s); e=$(date -d "$ended" +%s); c=$(date -d "$created" +%s)
[ "$s" -gt "$c" ] || fail "billing started at the request ($created), not at activation ($started)"
minutes=$(((e - s + 59) / 60)); [ "$minutes" -ge 1 ] || minutes=1
expected=$(((3000 * minutes + 30) / 60))
[ "$charged" = "$expected" ] || fail "charged $charged, expected $expected for $minutes started minute(s) from $started to $ended"
as alice --json bills | jq -e --arg l "$lease" --argjson c "$charged" \
  '[.items[] | select(.lease_id == $l and .kind == "charge")] | .[0].amount == -$c' >/dev/null ||
  fail "the bill does not hold the charge"
db "SELECT event FROM audit_log WHERE event IN ('lease_activated', 'lease_units_freed') ORDER BY id" | tr '\n' ' ' |
  grep -q "lease_activated lease_units_freed" || fail "no audit of the activation and the freeing"
kill -TERM "$agent_pid"
wait "$agent_pid" || fail "the agent did not stop cleanly: $(tail -5 "$T/agent.log")"
echo "OK"
