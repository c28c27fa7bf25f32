#!/usr/bin/env bash
# The daemon's real responses agree with docs/openapi.yaml: every route is
# exercised over HTTP, and each answer's status, content type and JSON body
# are checked against the documented schema (tests/contract/validate_responses.mjs).
# [R-API-DOC] [R-API-STD]
source "$(dirname "$0")/lib.sh"
validator=$CPSHARE_SOURCE_DIR/tests/contract/validate_responses.mjs
[ -d "$CPSHARE_SOURCE_DIR/node_modules/ajv" ] || fail "node_modules missing: run scripts/deps.sh (npm ci)"
start_daemon
records=$T/records.jsonl
n=0

# call METHOD TEMPLATE PATH [curl args...]: records the response; $LAST is its body file.
# Bodies go as Content-Type: application/json unless the args name another type.
# (Not run in a subshell, so the record count stays right.)
LAST=
call() {
  local method=$1 template=$2 path=$3; shift 3
  n=$((n + 1))
  local body=$T/body.$n
  local meta type=(-H 'Content-Type: application/json')
  [[ " $* " == *"Content-Type:"* ]] && type=()
  meta=$(curl -s -X "$method" -o "$body" -w '%{http_code} %{content_type}' "$URL$path" "${type[@]}" "$@")
  jq -cn --arg m "$method" --arg p "$template" --argjson s "${meta%% *}" --arg t "${meta#* }" --arg f "$body" \
    '{method:$m, path:$p, status:$s, content_type:$t, body_file:$f}' >>"$records"
  LAST=$body
}
auth() { echo "Authorization: Bearer $1"; }
json_body() { echo -H; echo 'Content-Type: application/json'; echo -d; echo "$1"; }

call GET /api/v1/health /api/v1/health
call GET /api/v1/openapi.yaml /api/v1/openapi.yaml
call GET /api/v1/terms /api/v1/terms
terms=$(jq -r .data.version "$LAST")

user='{"username":"alice","password":"'"$PW"'","email":"alice@example.org","phone":"13800138000",
 "real_name":"张三","id_number":"11010519491231002X","user_type":"individual","region":"深圳",
 "accept_terms":true,"terms_version":"'"$terms"'"}'
call POST /api/v1/users /api/v1/users -d "$user"
call POST /api/v1/users /api/v1/users -d "$user"                                    # 409
call POST /api/v1/users /api/v1/users -d '{"username":"x"}'                          # 422
call POST /api/v1/users /api/v1/users -d '{bad'                                       # 400
call POST /api/v1/users /api/v1/users -H 'Content-Type: text/plain' -d '{"username":"x"}'  # 415
call POST /api/v1/users /api/v1/users -d '{"username":"x","username":"y"}'            # 422 duplicate key

make_pdf "$T/l.pdf"
lic=$(base64 -w0 "$T/l.pdf")
supplier() { # NAME PHONE
  echo '{"username":"'"$1"'","password":"'"$PW"'","email":"'"$1"'@example.com","phone":"'"$2"'",
  "region":"福州","kind":"enterprise","company_name":"福州算力","legal_rep_name":"李四",
  "legal_rep_id_number":"440524188001010014","registered_capital_fen":500000000,
  "credit_code":"91350100M000100Y43","contact_name":"王五",
  "settlement":{"bank_name":"中国银行","account_name":"福州算力","account_number":"6217000010001234567"},
  "licence":{"filename":"l.pdf","content_base64":"'"$lic"'"},"accept_terms":true,"terms_version":"'"$terms"'"}'
}
call POST /api/v1/suppliers /api/v1/suppliers -d "$(supplier acme 13912345678)"
call POST /api/v1/suppliers /api/v1/suppliers -d "$(supplier bolt 13912345679)"

call POST /api/v1/activate /api/v1/activate -d '{"username":"alice","code":"000000"}'  # 400
call POST /api/v1/activate/resend /api/v1/activate/resend -d '{"username":"alice"}'   # 200
call POST /api/v1/activate/resend /api/v1/activate/resend -d '{"username":"alice"}'   # 429 (within the minute)
call POST /api/v1/activate/resend /api/v1/activate/resend -d '{"username":"nobody"}'  # 200
call POST /api/v1/activate /api/v1/activate -d '{"username":"alice","code":"'"$(code_for alice@example.org)"'"}'
call GET /api/v1/activate "/api/v1/activate?token=$(token_for acme@example.com)"
call GET /api/v1/activate "/api/v1/activate?token=$(token_for acme@example.com)"      # used: 400
call GET /api/v1/activate "/api/v1/activate?token=$(token_for bolt@example.com)" -H 'Accept: text/html'
call POST /api/v1/activate /api/v1/activate -d '{"username":"acme","code":"123456"}'  # 400, as for nobody
# 409: the right code of an account already active (only its holder learns that)
call POST /api/v1/activate /api/v1/activate -d '{"username":"alice","code":"'"$(code_for alice@example.org)"'"}'

call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"wrong-pass"}'  # 401
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"'"$PW"'"}'
t1=$(jq -r .data.token "$LAST")
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"'"$PW"'"}'
t2=$(jq -r .data.token "$LAST")
call GET /api/v1/me /api/v1/me                                                         # 401
call GET /api/v1/me /api/v1/me -H "$(auth "$t1")"
call PATCH /api/v1/me /api/v1/me -H "$(auth "$t1")" -d '{"region":"广州"}'
call PATCH /api/v1/me /api/v1/me -H "$(auth "$t1")" -d '{"phone":"1"}'                 # 422
call GET /api/v1/sessions /api/v1/sessions -H "$(auth "$t1")"
other=$(jq -r '[.data.items[] | select(.current | not)][0].id' "$LAST")
call DELETE '/api/v1/sessions/{id}' "/api/v1/sessions/$other" -H "$(auth "$t1")"
call DELETE '/api/v1/sessions/{id}' "/api/v1/sessions/$other" -H "$(auth "$t1")"      # 404

call POST /api/v1/me/mfa /api/v1/me/mfa -H "$(auth "$t1")" -d '{}'
secret=$(jq -r .data.secret "$LAST")
call POST /api/v1/me/mfa/confirm /api/v1/me/mfa/confirm -H "$(auth "$t1")" -d '{"code":"000000"}'  # 401
call POST /api/v1/me/mfa/confirm /api/v1/me/mfa/confirm -H "$(auth "$t1")" \
  -d '{"code":"'"$(oathtool --totp -b "$secret")"'"}'
rc=$(jq -r '.data.recovery_codes[0]' "$LAST")
call POST /api/v1/me/mfa /api/v1/me/mfa -H "$(auth "$t1")" -d '{}'                     # 409
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"'"$PW"'"}'  # 401 MFA_REQUIRED
call DELETE /api/v1/me/mfa /api/v1/me/mfa -H "$(auth "$t1")" -d '{"code":"'"$rc"'"}'
call DELETE /api/v1/me/mfa /api/v1/me/mfa -H "$(auth "$t1")" -d '{"code":"'"$rc"'"}'   # 409

make_admin root
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"root","password":"'"$PW"'"}'
ta=$(jq -r .data.token "$LAST")
call GET /api/v1/admin/reviews /api/v1/admin/reviews -H "$(auth "$t1")"                 # 403
call GET /api/v1/admin/reviews /api/v1/admin/reviews -H "$(auth "$ta")"
call GET '/api/v1/admin/reviews/{username}/licence' /api/v1/admin/reviews/acme/licence -H "$(auth "$ta")"
call GET '/api/v1/admin/reviews/{username}/licence' /api/v1/admin/reviews/nobody/licence -H "$(auth "$ta")"
call POST '/api/v1/admin/reviews/{username}/approve' /api/v1/admin/reviews/acme/approve -H "$(auth "$ta")" -d '{}'
call POST '/api/v1/admin/reviews/{username}/approve' /api/v1/admin/reviews/acme/approve -H "$(auth "$ta")" -d '{}'  # 409
call POST '/api/v1/admin/reviews/{username}/reject' /api/v1/admin/reviews/bolt/reject -H "$(auth "$ta")" -d '{}'     # 422
call POST '/api/v1/admin/reviews/{username}/reject' /api/v1/admin/reviews/bolt/reject -H "$(auth "$ta")" -d '{"reason":"expired licence"}'
call GET /api/v1/admin/audit "/api/v1/admin/audit?limit=5" -H "$(auth "$ta")"
call GET /api/v1/admin/audit "/api/v1/admin/audit?limit=0" -H "$(auth "$ta")"           # 422

# The catalogue: acme is an approved supplier now, bolt a rejected one, alice a user.
# (Bodiless POSTs send -d '' so that curl sends Content-Length: 0.)
count() { jq -c "$1" "$LAST"; }
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"acme","password":"'"$PW"'"}'
ts=$(jq -r .data.token "$LAST")
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"bolt","password":"'"$PW"'"}'
tb=$(jq -r .data.token "$LAST")
cluster_a='{"class":"A","resource_type":"GPU","model":"A100 80GB","units":8,"unit_memory":80000000000,
 "memory":1000000000000,"vcpus":128,"prices":{"hourly":2500,"monthly":1500000},"vendor":"Acme",
 "location":"深圳市","region":"深圳","storage":{"description":"2x3.84TB nvme data, 480GB ssd system"},
 "usage":"ssh in, conda activate","access":{"nodes":[{"host":"gpu01.example.org","user":"cpadmin","units":2},
 {"host":"gpu02.example.org","user":"cpadmin","units":2},{"host":"gpu03.example.org","user":"cpadmin","units":2},
 {"host":"gpu04.example.org","port":2222,"user":"cpadmin","units":2,"device_ids":["0000:3b:00.0","0000:5e:00.0"]}]}}'
cluster_b='{"class":"B","resource_type":"NPU","model":"Ascend 910B","units":16,"unit_memory":64000000000,
 "memory":2000000000000,"vcpus":192,"prices":{"daily":40000},"vendor":"Acme","location":"杭州市","region":"杭州",
 "storage":{"description":"4x7.68TB nvme"},"software":{"python":"3.11"},
 "access":{"platform_url":"https://ai.example.com/console","environments":["jupyterlab","vscode"]}}'
call POST /api/v1/clusters /api/v1/clusters -d "$cluster_a"                             # 401
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$t1")" -d "$cluster_a"          # 403 a user
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$tb")" -d "$cluster_a"          # 403 not approved
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$ts")" -d '{bad'                # 400
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$ts")" -d '{"class":"A","unit_memory":"80GB"}'  # 422
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$ts")" -d "$cluster_a"
cid=$(jq -r .data.cluster.cpc_id "$LAST")
[ "$(count '[.data.cluster.access.nodes[].host, .data.cluster.nodes_free]')" = '["gpu01.example.org","gpu02.example.org","gpu03.example.org","gpu04.example.org",4]' ] ||
  fail "publish: no owner view"
pubkey=$(jq -r .data.provisioning_public_key "$LAST")
[[ $pubkey == ssh-ed25519\ * ]] || fail "publish A: no provisioning public key"
[ "$(count .data.agent_token)" = null ] || fail "publish A: an agent token"
call POST /api/v1/clusters /api/v1/clusters -H "$(auth "$ts")" -d "$cluster_b"
cid_b=$(jq -r .data.cluster.cpc_id "$LAST")
[ "$(count .data.provisioning_public_key)" = null ] || fail "publish B: a provisioning key"
[[ $(jq -r .data.agent_token "$LAST") =~ ^cpa_[A-Za-z0-9_-]{43}$ ]] || fail "publish B: no agent token"
agent_b=$(jq -r .data.agent_token "$LAST")
# Irmds (issue 11): the agent's batch, and reading it back.
sample='{"at":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'","cpu":null,"memory":{"total_bytes":1000,"available_bytes":500},
 "mounts":[],"interfaces":[],"sensors":[],"gpu_source":"none","gpu_error":null,"gpus":[],"network":null}'
mpath=/api/v1/clusters/$cid_b/metrics
call POST '/api/v1/clusters/{cpc_id}/metrics' "$mpath" -H "$(auth "$agent_b")" -d '{"samples":['"$sample"'],"dropped":0}'
call POST '/api/v1/clusters/{cpc_id}/metrics' "$mpath" -H "$(auth "$ts")" -d '{"samples":['"$sample"'],"dropped":0}'  # 401
call POST '/api/v1/clusters/{cpc_id}/metrics' "$mpath" -H "$(auth "$agent_b")" -d '{"samples":[],"dropped":0}'   # 422
call POST '/api/v1/clusters/{cpc_id}/metrics' "$mpath" -H "$(auth "$agent_b")" -d '{bad'                       # 400
call POST '/api/v1/clusters/{cpc_id}/metrics' "/api/v1/clusters/$cid/metrics" -H "$(auth "$agent_b")" -d '{"samples":['"$sample"'],"dropped":0}'  # 403
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath?minutes=10" -H "$(auth "$ts")"
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath?resolution=minute" -H "$(auth "$ts")"
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath?resolution=hour" -H "$(auth "$ts")"
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath?resolution=day" -H "$(auth "$ts")"                     # 422
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath" -H "$(auth "$t1")"                                    # 403
call GET /metrics /metrics -H "$(auth "$ta")"
call GET /metrics /metrics -H "$(auth "$t1")"                                                                  # 403
call GET /metrics /metrics                                                                                     # 401
call GET '/api/v1/clusters/{cpc_id}/metrics' "$mpath"                                                       # 401
# Its status events (the report above brought it online).
epath=/api/v1/clusters/$cid_b/events
call GET '/api/v1/clusters/{cpc_id}/events' "$epath" -H "$(auth "$ts")"
[ "$(count '.data.items[0].kind')" = '"cluster_online"' ] || fail "events: no cluster_online"
call GET '/api/v1/clusters/{cpc_id}/events' "$epath?since=2026-01-01T00:00:00Z&limit=5" -H "$(auth "$ts")"
call GET '/api/v1/clusters/{cpc_id}/events' "$epath?limit=0" -H "$(auth "$ts")"                            # 422
call GET '/api/v1/clusters/{cpc_id}/events' "$epath" -H "$(auth "$t1")"                                    # 403
call GET '/api/v1/clusters/{cpc_id}/events' "/api/v1/clusters/cp-0000000000/events" -H "$(auth "$ts")"    # 404
call GET '/api/v1/clusters/{cpc_id}/events' "$epath"                                                       # 401

call GET /api/v1/clusters /api/v1/clusters -H "$(auth "$t1")"
[ "$(count '.data.items | length')" = 2 ] || fail "list: expected 2 clusters"
[ "$(count '[.data.items[].access | select(.method == "ssh")][0] | keys')" = '["method"]' ] ||
  fail "list: a user sees an A-class cluster's SSH access"
call GET /api/v1/clusters /api/v1/clusters -H "$(auth "$t1")" -G \
  --data-urlencode 'filter=class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市'
[ "$(count '[.data.items[].cpc_id]')" = "[\"$cid\"]" ] || fail "filter: expected only $cid"
call GET /api/v1/clusters "/api/v1/clusters?sort=price_hourly-&limit=10&offset=0&region=any" -H "$(auth "$t1")"
call GET /api/v1/clusters "/api/v1/clusters?mine=true" -H "$(auth "$ts")"
call GET /api/v1/clusters /api/v1/clusters -H "$(auth "$ta")"
call GET /api/v1/clusters /api/v1/clusters -H "$(auth "$t1")" -G --data-urlencode 'filter=modle~A100'  # 422
call GET /api/v1/clusters "/api/v1/clusters?sort=owner" -H "$(auth "$t1")"               # 422
call GET /api/v1/clusters "/api/v1/clusters?limit=0" -H "$(auth "$t1")"                  # 422
call GET /api/v1/clusters "/api/v1/clusters?offset=-1" -H "$(auth "$t1")"                # 422
call GET /api/v1/clusters /api/v1/clusters                                              # 401

call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$t1")"
[ "$(count '.data.units | length')" = 8 ] || fail "show: expected 8 units"
[ "$(count .data.provisioning)" = null ] || fail "show: a user sees the provisioning"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")"
[ "$(jq -r .data.provisioning.public_key "$LAST")" = "$pubkey" ] || fail "show: owner lacks the provisioning key"
[ "$(count '[.data.provisioning.nodes_unverified, [.data.cluster.access.nodes[].host_key_fingerprint]]')" = '[4,[null,null,null,null]]' ] ||
  fail "show: a host key pinned before any verify"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ta")"
[ "$(count '.data.provisioning | keys')" = '["nodes_unverified","public_key"]' ] || fail "show: admin lacks the provisioning"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid_b" -H "$(auth "$t1")"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid_b" -H "$(auth "$ts")"
[ "$(count .data.provisioning)" = null ] || fail "show: B-class cluster has provisioning"

# verify: gpu01.example.org cannot be reached here, so the owner's check is UNAVAILABLE.
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$ts")" -d ''      # 503
[ "$(count .error.code)" = '"UNAVAILABLE"' ] || fail "verify: unreachable host is not UNAVAILABLE"
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$ta")" -d '{"repin":true}'  # 503
[ "$(count .error.code)" = '"UNAVAILABLE"' ] || fail "verify (admin): unreachable host is not UNAVAILABLE"
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid_b/verify" -H "$(auth "$ts")" -d ''    # 409 B-class
[ "$(count .error.code)" = '"CONFLICT"' ] || fail "verify: B-class cluster is not CONFLICT"
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$tb")" -d ''      # 403 another supplier
[[ $(count .error.code) =~ ^\"(FORBIDDEN|NOT_FOUND)\"$ ]] || fail "verify: another supplier is not refused"
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$t1")" -d ''      # 403 a user
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -d ''                        # 401
call POST '/api/v1/clusters/{cpc_id}/verify' /api/v1/clusters/cp-0000000000/verify -H "$(auth "$ts")" -d ''  # 404
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$ts")" -d '{"repin":"yes"}'  # 422
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$ts")" -d '{"repinn":true}'  # 422
call POST '/api/v1/clusters/{cpc_id}/verify' "/api/v1/clusters/$cid/verify" -H "$(auth "$ts")" -d '{bad'   # 400
call GET '/api/v1/clusters/{cpc_id}' /api/v1/clusters/cp-0000000000 -H "$(auth "$t1")"   # 404
call GET '/api/v1/clusters/{cpc_id}' /api/v1/clusters/nonsense -H "$(auth "$t1")"        # 404
call GET '/api/v1/clusters/{cpc_id}/units' "/api/v1/clusters/$cid/units" -H "$(auth "$t1")"
call GET '/api/v1/clusters/{cpc_id}/units' /api/v1/clusters/cp-0000000000/units -H "$(auth "$t1")"  # 404

call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/3" -H "$(auth "$ts")" -d '{"status":"offline"}'
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")"
[ "$(count .data.cluster.units_free)" = 7 ] || fail "units_free does not follow an offline unit"
call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/3" -H "$(auth "$ts")" -d '{"status":"idle"}'
call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/8" -H "$(auth "$ts")" -d '{"status":"idle"}'    # 404
call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/3" -H "$(auth "$ts")" -d '{"status":"busy"}'    # 422
call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/3" -H "$(auth "$ts")" -d '{bad'                 # 400
call PUT '/api/v1/clusters/{cpc_id}/units/{index}' "/api/v1/clusters/$cid/units/3" -H "$(auth "$t1")" -d '{"status":"offline"}' # 403

call PATCH '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")" \
  -d '{"prices":{"hourly":2200,"daily":48000,"monthly":null},"software":{"cuda":"12.4","frameworks":["pytorch 2.3"]},"description":"Two racks"}'
[ "$(count .data.cluster.billing_modes)" = '["hourly","daily"]' ] || fail "update: prices not merged"
call PATCH '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")" -d '{"class":"B"}'   # 422
call PATCH '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")" -d '{}'              # 422
call PATCH '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")" -d '{bad'            # 400
call PATCH '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$t1")" -d '{"vcpus":64}'    # 403
call PATCH '/api/v1/clusters/{cpc_id}' /api/v1/clusters/cp-0000000000 -H "$(auth "$ts")" -d '{"vcpus":64}'  # 404

call POST '/api/v1/clusters/{cpc_id}/delist' "/api/v1/clusters/$cid/delist" -H "$(auth "$t1")" -d ''   # 403
call POST '/api/v1/clusters/{cpc_id}/delist' "/api/v1/clusters/$cid/delist" -H "$(auth "$ts")" -d ''
[ "$(count .data.cluster.status)" = '"delisted"' ] || fail "delist: status"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$t1")"                         # 404 delisted
call GET '/api/v1/clusters/{cpc_id}/units' "/api/v1/clusters/$cid/units" -H "$(auth "$t1")"             # 404 delisted
call POST '/api/v1/clusters/{cpc_id}/relist' "/api/v1/clusters/$cid/relist" -H "$(auth "$t1")" -d ''   # 404 delisted
call GET /api/v1/clusters "/api/v1/clusters?mine=true" -H "$(auth "$ts")"
call POST '/api/v1/clusters/{cpc_id}/relist' "/api/v1/clusters/$cid/relist" -H "$(auth "$ts")" -d '{}'
[ "$(count .data.cluster.status)" = '"listed"' ] || fail "relist: status"
call POST '/api/v1/clusters/{cpc_id}/relist' "/api/v1/clusters/$cid/relist" -H "$(auth "$ts")" -d '{bad'  # 400
call POST '/api/v1/clusters/{cpc_id}/delist' /api/v1/clusters/cp-0000000000/delist -H "$(auth "$ts")" -d ''  # 404
call GET /api/v1/admin/audit "/api/v1/admin/audit?limit=20" -H "$(auth "$ta")"
[ "$(count '[.data.items[].event | select(startswith("cluster_") or . == "unit_status_changed")] | length')" -ge 6 ] ||
  fail "audit: catalogue events missing"

# Leases: alice (t1) leases units of acme's clusters; bolt (tb) is another supplier.
# A successful redeem needs a real sshd (tests/integration/test_lease_flow.sh covers it);
# here $cid was never verified, so redeeming its live code is UNAVAILABLE.
code_is() { [ "$(count .error.code)" = "\"$1\"" ] || fail "$2: expected $1, got $(cat "$LAST")"; }
# $cid is A-class (four nodes of two units: leased by whole nodes), $cid_b B-class (by units).
lease() { echo '{"cpc_id":"'"$1"'","'"$([ "$1" = "$cid" ] && echo nodes || echo units)"'":'"$2"',"billing":"'"$3"'"'"${4:+,$4}"'}'; }
call POST /api/v1/leases /api/v1/leases -d "$(lease "$cid" 1 hourly)"                              # 401
call POST /api/v1/leases /api/v1/leases -H "$(auth "$ts")" -d "$(lease "$cid" 1 hourly)"            # 403 a supplier
code_is FORBIDDEN "lease by a supplier"
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d '{bad'                                # 400
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d '{"cpc_id":"'"$cid"'","units":0,"billing":"weekly","gpus":1}'  # 422
[ "$(count '[.error.fields[].field] | sort')" = '["billing","gpus","units"]' ] || fail "lease: fields not all named"
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid" 1 yearly)"            # 422 not offered
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid_b" 1 daily '"ssh_public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3f9rX2Jv7x0w8fQ1m9bQk5u7mYzq3oB0X1pW6eH2dK a@b"')"  # 422 B-class key
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease cp-0000000000 1 hourly)"     # 404
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid" 9 hourly)"            # 409
code_is UNITS_UNAVAILABLE "lease of 9 of 4 nodes"
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid" 2 hourly)"
lid=$(jq -r .data.lease.lease_id "$LAST")
[ "$(count '[.data.lease.state, .data.lease.units, .data.lease.unit_price, .data.lease.cluster.cpc_id]')" = "[\"requested\",[0,1,2,3],2200,\"$cid\"]" ] ||
  fail "lease: unexpected $(cat "$LAST")"
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid" 1 daily '"periods":3,"ssh_public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3f9rX2Jv7x0w8fQ1m9bQk5u7mYzq3oB0X1pW6eH2dK alice@laptop"')"
lid2=$(jq -r .data.lease.lease_id "$LAST")
[ "$(count .data.lease.estimate)" = 288000 ] || fail "lease: daily estimate is not 3 × 48000 × 2 units"
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid_b" 4 daily '"periods":2')"  # 422 no environment among two
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid_b" 4 daily '"periods":2,"environment":"jupyterlab"')"
lid3=$(jq -r .data.lease.lease_id "$LAST")
[ "$(count .data.lease.state)" = '"provisioning"' ] || fail "lease B: not provisioning"
[ "$(count .data.lease.environment)" = '"jupyterlab"' ] || fail "lease B: no environment"
# The B-class lifecycle (issue 11): the agent's work list and its reports (the lease stays provisioning here).
wpath=/api/v1/clusters/$cid_b/agent
call GET '/api/v1/clusters/{cpc_id}/agent/work' "$wpath/work" -H "$(auth "$agent_b")"
[ "$(count '[.data.items[] | [.action, .lease_id, .environment]]')" = "[[\"provision\",\"$lid3\",\"jupyterlab\"]]" ] ||
  fail "agent work: $(cat "$LAST")"
call GET '/api/v1/clusters/{cpc_id}/agent/work' "$wpath/work" -H "$(auth "$ts")"                     # 401 a session
call GET '/api/v1/clusters/{cpc_id}/agent/work' "/api/v1/clusters/$cid/agent/work" -H "$(auth "$agent_b")"  # 403
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/access' "$wpath/leases/$lid3/access" -H "$(auth "$agent_b")" \
  -d '{"error":"provision hook exited with status 1: no quota"}'
[ "$(count '[.data.state, .data.attempts]')" = '["provisioning",1]' ] || fail "access error report: $(cat "$LAST")"
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/access' "$wpath/leases/$lid3/access" -H "$(auth "$agent_b")" -d '{}'  # 422
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/access' "$wpath/leases/$lid3/access" -H "$(auth "$agent_b")" -d '{bad'  # 400
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/access' "$wpath/leases/ls-0000000000/access" -H "$(auth "$agent_b")" \
  -d '{"error":"x"}'                                                                                # 404
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released' "$wpath/leases/$lid3/released" -H "$(auth "$agent_b")" -d '{}'  # 409 not ended
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released' "$wpath/leases/$lid3/released" -H "$(auth "$ts")" -d '{}'  # 401
call POST /api/v1/leases /api/v1/leases -H "$(auth "$t1")" -d "$(lease "$cid" 2 hourly)"            # 409: 1 node free now
code_is UNITS_UNAVAILABLE "lease of 2 nodes with 1 free"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")"
[ "$(count '[.data.cluster.units_free, .data.cluster.nodes_free]')" = '[2,1]' ] || fail "units_free and nodes_free do not follow the leases"
call GET '/api/v1/clusters/{cpc_id}/units' "/api/v1/clusters/$cid/units" -H "$(auth "$t1")"
[ "$(count '[.data.items[] | select(.status != "idle") | .index]')" = '[0,1,2,3,4,5]' ] || fail "units: leased units still idle"

call GET /api/v1/leases /api/v1/leases -H "$(auth "$t1")"
[ "$(count '[.data.items[].lease_id]')" = "[\"$lid3\",\"$lid2\",\"$lid\"]" ] || fail "leases: not newest first"
call GET /api/v1/leases "/api/v1/leases?incoming=true" -H "$(auth "$ts")"
[ "$(count '.data.items | length')" = 3 ] || fail "leases --incoming: expected 3"
call GET /api/v1/leases "/api/v1/leases?incoming=true&state=provisioning" -H "$(auth "$ts")"
[ "$(count '[.data.items[].lease_id]')" = "[\"$lid3\"]" ] || fail "leases state=provisioning"
call GET /api/v1/leases "/api/v1/leases?incoming=false&state=requested" -H "$(auth "$t1")"
[ "$(count '.data.items | length')" = 2 ] || fail "leases state=requested: expected 2"
call GET /api/v1/leases "/api/v1/leases?incoming=true" -H "$(auth "$tb")"
[ "$(count '.data.items | length')" = 0 ] || fail "leases --incoming: another supplier sees acme's"
call GET /api/v1/leases "/api/v1/leases?incoming=true" -H "$(auth "$t1")"                           # 403
call GET /api/v1/leases "/api/v1/leases?state=running" -H "$(auth "$t1")"                           # 422
call GET /api/v1/leases "/api/v1/leases?incoming=yes" -H "$(auth "$t1")"                            # 422
call GET /api/v1/leases /api/v1/leases                                                            # 401

call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid" -H "$(auth "$t1")"
call GET '/api/v1/leases/{lease_id}/report' "/api/v1/leases/$lid/report" -H "$(auth "$t1")"       # A-class: none
[ "$(count .data.status)" = '"none"' ] || fail "an A-class lease's report: $(cat "$LAST")"
call GET '/api/v1/leases/{lease_id}/report' "/api/v1/leases/$lid3/report" -H "$(auth "$ts")"      # B-class: pending
[ "$(count .data.status)" = '"pending"' ] || fail "a provisioning lease's report: $(cat "$LAST")"
call GET '/api/v1/leases/{lease_id}/report' "/api/v1/leases/$lid/report" -H "$(auth "$tb")"       # 404 not his
call GET '/api/v1/leases/{lease_id}/report' "/api/v1/leases/$lid/report"                          # 401
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid" -H "$(auth "$ts")"
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid" -H "$(auth "$ta")"
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid" -H "$(auth "$tb")"                      # 404 not his
call GET '/api/v1/leases/{lease_id}' /api/v1/leases/ls-0000000000 -H "$(auth "$t1")"                 # 404
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid?access=true" -H "$(auth "$t1")"           # 409 not redeemed
code_is CONFLICT "access before redeem"
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid?access=true" -H "$(auth "$ts")"           # 403 the supplier
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid?access=1" -H "$(auth "$t1")"              # 422
call GET '/api/v1/leases/{lease_id}' "/api/v1/leases/$lid"                                          # 401

call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -H "$(auth "$tb")" -d ''   # 404 another supplier learns nothing
code_is NOT_FOUND "approve by another supplier"
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -H "$(auth "$t1")" -d ''   # 403 the user
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -H "$(auth "$ts")" -d '{bad'  # 400
call POST '/api/v1/leases/{lease_id}/approve' /api/v1/leases/ls-0000000000/approve -H "$(auth "$ts")" -d ''  # 404
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -d ''                     # 401
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -H "$(auth "$ts")" -d ''
auth_code=$(jq -r .data.auth_code "$LAST")
[ "$(count .data.lease.state)" = '"approved"' ] || fail "approve: state"
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid/approve" -H "$(auth "$ts")" -d '{}'  # 409
code_is CONFLICT "approve twice"
call POST '/api/v1/leases/{lease_id}/approve' "/api/v1/leases/$lid3/approve" -H "$(auth "$ts")" -d ''   # 409 B-class

call POST /api/v1/redeem/check /api/v1/redeem/check -H "$(auth "$t1")" -d '{"code":"'"$auth_code"'"}'  # 200
[ "$(count .data.lease.state)" = '"approved"' ] || fail "redeem/check: the lease, unchanged"
call POST /api/v1/redeem/check /api/v1/redeem/check -H "$(auth "$t1")" -d '{"code":"AAAA-BBBB-CCCC-DDDD"}'  # 400
code_is INVALID_CODE "check a wrong code"
call POST /api/v1/redeem/check /api/v1/redeem/check -H "$(auth "$t1")" -d '{"code":""}'               # 422
call POST /api/v1/redeem/check /api/v1/redeem/check -H "$(auth "$t1")" -d '{bad'                      # 400
call POST /api/v1/redeem/check /api/v1/redeem/check -d '{"code":"AAAA-BBBB-CCCC-DDDD"}'               # 401
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{"code":"AAAA-BBBB-CCCC-DDDD"}'       # 400
code_is INVALID_CODE "redeem a wrong code"
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$ts")" -d '{"code":"'"$auth_code"'"}'            # 400 not his lease
code_is INVALID_CODE "redeem another's code"
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{"code":"'"${auth_code,,}"'"}'         # 503 never verified
code_is UNAVAILABLE "redeem on an unverified cluster"
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{"code":""}'                           # 422
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{"code":"x","lease":"y"}'              # 422
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{bad'                                  # 400
call POST /api/v1/redeem /api/v1/redeem -d '{"code":"AAAA-BBBB-CCCC-DDDD"}'                           # 401

call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -H "$(auth "$ts")" -d '{}'  # 422
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -H "$(auth "$t1")" -d '{"reason":"x"}'  # 403
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -H "$(auth "$ts")" -d '{bad'  # 400
call POST '/api/v1/leases/{lease_id}/reject' /api/v1/leases/ls-0000000000/reject -H "$(auth "$ts")" -d '{"reason":"x"}'  # 404
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -d '{"reason":"x"}'         # 401
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -H "$(auth "$ts")" -d '{"reason":"no daily leases this week"}'
[ "$(count '[.data.lease.state, .data.lease.end_reason, .data.lease.note, .data.lease.charged]')" = '["rejected","rejected","no daily leases this week",0]' ] ||
  fail "reject: unexpected $(cat "$LAST")"
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid2/reject" -H "$(auth "$ts")" -d '{"reason":"again"}'  # 409
code_is CONFLICT "reject twice"

call POST '/api/v1/leases/{lease_id}/release' "/api/v1/leases/$lid/release" -H "$(auth "$ts")" -d ''    # 404 not the supplier's to release
call POST '/api/v1/leases/{lease_id}/release' "/api/v1/leases/$lid/release" -H "$(auth "$t1")" -d '{bad'  # 400
call POST '/api/v1/leases/{lease_id}/release' "/api/v1/leases/$lid/release" -d ''                      # 401
call POST '/api/v1/leases/{lease_id}/release' "/api/v1/leases/$lid/release" -H "$(auth "$t1")" -d ''
[ "$(count '[.data.lease.state, .data.lease.end_reason, .data.lease.charged, .data.lease.refunded]')" = '["ended","released",0,0]' ] ||
  fail "release: unexpected $(cat "$LAST")"
call POST '/api/v1/leases/{lease_id}/release' "/api/v1/leases/$lid/release" -H "$(auth "$t1")" -d '{}'  # 409
code_is CONFLICT "release twice"
call POST /api/v1/redeem /api/v1/redeem -H "$(auth "$t1")" -d '{"code":"'"$auth_code"'"}'             # 400 lease ended
code_is INVALID_CODE "redeem the code of a released lease"

call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$ts")" -d '{"reason":""}'  # 422
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$t1")" -d '{"reason":"x"}'  # 403
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$tb")" -d '{"reason":"x"}'  # 404 another supplier
code_is NOT_FOUND "terminate by another supplier"
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$ts")" -d '{bad'  # 400
call POST '/api/v1/leases/{lease_id}/terminate' /api/v1/leases/ls-0000000000/terminate -H "$(auth "$ts")" -d '{"reason":"x"}'  # 404
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -d '{"reason":"x"}'   # 401
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$ts")" -d '{"reason":"platform maintenance"}'
[ "$(count '[.data.lease.state, .data.lease.end_reason, .data.lease.note]')" = '["ended","terminated","platform maintenance"]' ] ||
  fail "terminate: unexpected $(cat "$LAST")"
call POST '/api/v1/leases/{lease_id}/terminate' "/api/v1/leases/$lid3/terminate" -H "$(auth "$ts")" -d '{"reason":"again"}'  # 409
code_is CONFLICT "terminate twice"
call POST '/api/v1/leases/{lease_id}/reject' "/api/v1/leases/$lid3/reject" -H "$(auth "$ts")" -d '{"reason":"x"}'  # 409 ended
# An ended B-class lease's units stay busy until its agent reports the deprovision step ran.
call GET '/api/v1/clusters/{cpc_id}/units' "/api/v1/clusters/$cid_b/units" -H "$(auth "$ts")"
[ "$(count '[.data.items[] | select(.status == "busy")] | length')" = 4 ] || fail "B-class units freed before the agent said so"
call GET '/api/v1/clusters/{cpc_id}/agent/work' "$wpath/work" -H "$(auth "$agent_b")"
[ "$(count '[.data.items[] | [.action, .lease_id]]')" = "[[\"deprovision\",\"$lid3\"]]" ] || fail "agent work after the end: $(cat "$LAST")"
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released' "$wpath/leases/$lid3/released" -H "$(auth "$agent_b")" \
  -d '{"error":"deprovision hook timed out after 120 s and was killed"}'
[ "$(count '[.data.units_freed, .data.attempts]')" = '[false,1]' ] || fail "released error report: $(cat "$LAST")"
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released' "$wpath/leases/$lid3/released" -H "$(auth "$agent_b")" -d '{}'
[ "$(count '[.data.state, .data.units_freed]')" = '["ended",true]' ] || fail "released report: $(cat "$LAST")"
call POST '/api/v1/clusters/{cpc_id}/agent/leases/{lease_id}/released' "$wpath/leases/$lid3/released" -H "$(auth "$agent_b")" -d '{}'  # 409 once
code_is CONFLICT "released twice"
call GET '/api/v1/clusters/{cpc_id}' "/api/v1/clusters/$cid" -H "$(auth "$ts")"
[ "$(count .data.cluster.units_free)" = 8 ] || fail "units not idle again after the leases ended"
call GET '/api/v1/clusters/{cpc_id}/units' "/api/v1/clusters/$cid_b/units" -H "$(auth "$ts")"
[ "$(count '[.data.items[] | select(.status != "idle")] | length')" = 0 ] || fail "B-class units not idle after terminate"
call GET /api/v1/leases "/api/v1/leases?state=ended" -H "$(auth "$t1")"
[ "$(count '.data.items | length')" = 2 ] || fail "leases state=ended: expected 2"

month=$(date -u +%Y-%m)
call GET /api/v1/bills /api/v1/bills -H "$(auth "$t1")"
[ "$(count '[.data.month, .data.total, (.data.items | length)]')" = "[\"$month\",0,0]" ] || fail "bills: nothing ran, nothing billed"
call GET /api/v1/bills "/api/v1/bills?month=2026-02" -H "$(auth "$t1")"
[ "$(count .data.month)" = '"2026-02"' ] || fail "bills: month"
call GET /api/v1/bills "/api/v1/bills?month=2026-13" -H "$(auth "$t1")"                             # 422
code_is VALIDATION_FAILED "bills month=2026-13"
call GET /api/v1/bills /api/v1/bills                                                               # 401
call GET /api/v1/earnings /api/v1/earnings -H "$(auth "$ts")"
call GET /api/v1/earnings "/api/v1/earnings?month=2026-12" -H "$(auth "$ts")"
call GET /api/v1/earnings /api/v1/earnings -H "$(auth "$t1")"                                      # 403
code_is FORBIDDEN "earnings of a user"
call GET /api/v1/earnings "/api/v1/earnings?month=2026-13" -H "$(auth "$ts")"                       # 422
call GET /api/v1/earnings /api/v1/earnings                                                         # 401
call GET /api/v1/admin/audit "/api/v1/admin/audit?limit=40" -H "$(auth "$ta")"
for e in lease_requested lease_approved lease_redeem_failed lease_ended; do
  [ "$(count "[.data.items[].event | select(. == \"$e\")] | length")" -ge 1 ] || fail "audit: no $e event"
done

call POST /api/v1/me/password /api/v1/me/password -H "$(auth "$t1")" \
  -d '{"current_password":"wrong-pass","new_password":"n3w-Passw0rd-plum-tree"}'     # 401
call POST /api/v1/me/password /api/v1/me/password -H "$(auth "$t1")" \
  -d '{"current_password":"'"$PW"'","new_password":"n3w-Passw0rd-plum-tree"}'
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"n3w-Passw0rd-plum-tree"}'
t3=$(jq -r .data.token "$LAST")
call DELETE /api/v1/sessions/current /api/v1/sessions/current -H "$(auth "$t3")"
call DELETE /api/v1/sessions/current /api/v1/sessions/current -H "$(auth "$t3")"       # 401
call POST /api/v1/sessions /api/v1/sessions -d '{"login":"alice","password":"n3w-Passw0rd-plum-tree"}'
t4=$(jq -r .data.token "$LAST")
call DELETE /api/v1/me /api/v1/me -H "$(auth "$t4")" -d '{"password":"n3w-Passw0rd-plum-tree","confirm_username":"bob"}'  # 422
call DELETE /api/v1/me /api/v1/me -H "$(auth "$t4")" -d '{"password":"n3w-Passw0rd-plum-tree","confirm_username":"alice"}'

step "validate $n responses against docs/openapi.yaml"
(cd "$CPSHARE_SOURCE_DIR" && node "$validator" docs/openapi.yaml "$records") || fail "responses and docs/openapi.yaml disagree"
echo "PASS"
