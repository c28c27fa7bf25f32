#!/usr/bin/env bash
# Nodes the platform may reach (issue 12, point 5): under the default networks
# (cpshared without --supplier-networks) a node at 127.0.0.1 or 169.254.169.254
# is refused when it is published or changed, and a name that resolves to
# loopback is refused when the platform would connect to it. With loopback
# allowed (as every other test allows it), a supplier who points a cluster at
# a closed port, or at the daemon's own HTTP port, reads "refused" or "the SSH
# handshake failed", never the system's or libssh's words. [R-SEC-1]
source "$(dirname "$0")/lib.sh"

step "a bad --supplier-networks entry stops the daemon at start, named"
rc=0
err=$("$CPSHARED" --data-dir "$T/never" --supplier-networks 10.0.0.0/8,gpu.example.org 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "cpshared with a bad network exited $rc: $err"
grep -q '"gpu.example.org" is not an IP address or network' <<<"$err" || fail "the bad entry is not named: $err"
[ ! -e "$T/never" ] || fail "a refused start created its data directory"

# This test alone runs the daemon under the default networks.
SUPPLIER_NETWORKS='' start_daemon
daemon_port=${URL##*:}
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138301

publish() {
  as acme --json publish --class A --resource-type GPU --model 'A100 80GB' --units 1 --unit-memory 80GB \
    --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 \
    --storage '2TB nvme' --usage 'ssh in' --ssh-user root "$@"
}
# expect_host_refused OUT: a VALIDATION_FAILED answer naming access.ssh_host and the kind of address.
expect_host_refused() {
  jq -e --arg kind "$2" '.error.code == "VALIDATION_FAILED" and (.error.fields[0].field | startswith("access.ssh_host"))
    and (.error.fields[0].message | contains("is a \($kind) address, which this platform does not connect to"))' \
    <<<"$1" >/dev/null || fail "not refused as a $2 address: $1"
}

step "under the default networks a node at 127.0.0.1 or 169.254.169.254 is refused at publish"
expect_error VALIDATION_FAILED 2 acme publish --class A --resource-type GPU --model 'A100 80GB' --units 1 \
  --unit-memory 80GB --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 \
  --storage '2TB nvme' --usage 'ssh in' --ssh-user root --ssh-host 127.0.0.1 --ssh-port "$daemon_port"
expect_host_refused "$(publish --ssh-host 127.0.0.1 --ssh-port "$daemon_port" || true)" loopback
expect_host_refused "$(publish --ssh-host 169.254.169.254 --ssh-port 80 || true)" link-local
expect_host_refused "$(publish --ssh-host ::1 || true)" loopback
[ "$(db "SELECT COUNT(*) FROM clusters")" = 0 ] || fail "a refused cluster was stored"

step "a name is published; the change to a refused address is not"
out=$(publish --ssh-host localhost --ssh-port "$daemon_port") || fail "publish localhost: $out"
id=$(jq -r .cluster.cpc_id <<<"$out")
expect_host_refused "$(as acme --json update "$id" --ssh-host 169.254.169.254 || true)" link-local
as acme --json show "$id" | jq -e '.cluster.access.nodes[0].host == "localhost"' >/dev/null || fail "the host changed"

step "a name that resolves to loopback is refused when the platform would connect"
expect_error FORBIDDEN 4 acme cluster verify "$id"
out=$(as acme --json cluster verify "$id" || true)
jq -e --arg p "$daemon_port" '.error.message | contains("ssh to localhost:\($p): localhost resolves to 127.0.0.1, a loopback address, which this platform does not connect to (cpshared --supplier-networks)")' \
  <<<"$out" >/dev/null || fail "verify of localhost: $out"
grep -q "supplier networks: default" "$T/daemon.log" || fail "the daemon does not log its networks"

step "with loopback allowed, a closed port is refused and the answer says only that"
stop_daemon
# The same address, so the sessions (kept per server URL) still hold.
LISTEN=${URL#http://} start_daemon  # lib.sh: --supplier-networks 127.0.0.0/8,::1/128
grep -q "supplier networks: 127.0.0.0/8, ::1/128" "$T/daemon.log" || fail "the daemon does not log its networks"
closed=$(free_port)
out=$(publish --ssh-host 127.0.0.1 --ssh-port "$closed") || fail "publish with loopback allowed: $out"
id=$(jq -r .cluster.cpc_id <<<"$out")
expect_error UNAVAILABLE 1 acme cluster verify "$id"
out=$(as acme --json cluster verify "$id" || true)
msg=$(jq -r .error.message <<<"$out")
[ "$msg" = "verify $id: ssh to 127.0.0.1:$closed: connect: refused the connection" ] || fail "closed port: $msg"
# The detail is the admin's, in the daemon's log.
grep -q "127.0.0.1:$closed: connect: refused the connection (Connection refused)" "$T/daemon.log" ||
  fail "the log lacks the detail: $(tail -5 "$T/daemon.log")"

step "the daemon's own HTTP port: the SSH handshake failed, and nothing of what it answered"
as acme --json update "$id" --ssh-port "$daemon_port" >/dev/null || fail "update the port"
out=$(as acme --json cluster verify "$id" || true)
msg=$(jq -r .error.message <<<"$out")
[ "$msg" = "verify $id: ssh to 127.0.0.1:$daemon_port: connect: the SSH handshake failed" ] ||
  fail "HTTP port: $msg"
for leak in HTTP Connection Socket errno libssh banner Protocol; do
  grep -qi "$leak" <<<"$msg" && fail "the answer carries '$leak': $msg"
done
echo "PASS"
