#!/usr/bin/env bash
# A-class clusters of several nodes, leased whole (issue 12; §3.1, §3.6,
# R-LEASE-3, R-LEASE-5, R-SEC-1). Two private OpenSSH sshd on loopback stand
# for two nodes: they run on this one machine, so they share its accounts,
# which the idempotent account creation allows (the account made "on node 0"
# is found, marked as this lease's, "on node 1"). Checked: one node per lease
# and nothing shared; a two-node lease logs in on both; after release nothing
# of the account is left (processes, home, files in /tmp, /var/tmp, /dev/shm,
# /run/lock, /run/user, crontab, at jobs, lingering, SysV IPC); a redeem with one node down leaves no account and names
# that node; a node with an offline GPU is leased without it.
# [R-LEASE-3] [R-LEASE-5] [R-SEC-1] [R-CL-1]
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: creating lease accounts needs root"; exit 0; }
start_daemon --revocation-retry 1
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138401
make_user alice 13800138402
make_user bob 13800138403
make_user carol 13800138404

port0=$(free_port)
port1=$(free_port)
while [ "$port1" = "$port0" ]; do port1=$(free_port); done
step "publish: two nodes of two GPUs each; --units is split over the --node hosts"
out=$(as acme --json publish --class A --resource-type GPU --model 'H100 80GB' --units 4 --unit-memory 80GB \
  --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 --storage '2TB nvme' \
  --usage 'module load cuda' --node "127.0.0.1:$port0" --node "127.0.0.1:$port1" --ssh-user root) ||
  fail "publish: $out"
cpc=$(jq -r .cluster.cpc_id <<<"$out")
jq -e '.cluster.nodes == 2 and .cluster.nodes_free == 2 and .cluster.units == 4
  and [.cluster.access.nodes[].units] == [2,2]' <<<"$out" >/dev/null || fail "publish: $out"
# Units that do not split evenly over the nodes: refused before anything is sent (exit 2).
expect_error VALIDATION_FAILED 2 acme publish --class A --resource-type GPU --model x --units 3 --unit-memory 80GB \
  --memory 1GB --vcpus 1 --price-hourly 1 --vendor v --location l --region r --storage '1TB nvme' --usage u \
  --node 127.0.0.1:1 --node 127.0.0.1:2 --ssh-user root

# The nodes: one host key each, the provisioning key for root, per-account
# authorized_keys and passwords for the lease accounts.
jq -r .provisioning_public_key <<<"$out" >"$T/authorized_keys"
chmod 600 "$T/authorized_keys"
mkdir -p /run/sshd && chmod 755 /run/sshd
PIDS=()
start_node() { # start_node N PORT
  local dir=$T/sshd$1
  mkdir -p "$dir"
  [ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  cat >"$dir/sshd_config" <<CONF
Port $2
ListenAddress 127.0.0.1
HostKey $dir/host_key
AuthorizedKeysFile $T/authorized_keys .ssh/authorized_keys
PidFile $dir/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
CONF
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" </dev/null >>"$T/sshd$1.log" 2>&1 &
  PIDS[$1]=$!
  wait_for_port "$2" "${PIDS[$1]}" "sshd $1" "$T/sshd$1.log"
}
stop_node() { kill "${PIDS[$1]}" 2>/dev/null; wait "${PIDS[$1]}" 2>/dev/null || true; PIDS[$1]=; }
ACCOUNTS=()
remove_accounts() {
  for a in "${ACCOUNTS[@]}"; do id "$a" >/dev/null 2>&1 && { pkill -9 -u "$a" 2>/dev/null; userdel -r -f "$a" >/dev/null 2>&1; }; done
  return 0
}
trap 'rc=$?; set +e; stop_node 0; stop_node 1; remove_accounts; (exit $rc); cleanup' EXIT
start_node 0 "$port0"
start_node 1 "$port1"

step "cluster verify pins every node"
out=$(as acme --json cluster verify "$cpc") || fail "verify: $out"
jq -e --argjson p0 "$port0" --argjson p1 "$port1" \
  '[.nodes[].port] == [$p0, $p1] and all(.nodes[]; .pinned_now and (.fingerprint | startswith("SHA256:")))' \
  <<<"$out" >/dev/null || fail "verify: $out"
[ "$(jq -r '.nodes[0].fingerprint' <<<"$out")" != "$(jq -r '.nodes[1].fingerprint' <<<"$out")" ] ||
  fail "the two nodes' keys should differ"

step "the catalogue counts free nodes: list, show, filter"
as alice --json filter 'nodes_free>=2' | jq -e --arg c "$cpc" '[.items[].cpc_id] == [$c]' >/dev/null ||
  fail "filter nodes_free>=2"
as alice --json show "$cpc" | jq -e '.cluster.nodes_free == 2 and (.cluster.access | has("nodes") | not)
  and [.units[].node] == [0,0,1,1]' >/dev/null || fail "show"
as alice list | grep -q "$cpc.*2/2" || fail "list shows no FREE/NODES 2/2: $(as alice list)"

step "leases take whole nodes: alice one, bob the other, carol none"
expect_error VALIDATION_FAILED 2 alice lease "$cpc" --units 1 --billing hourly
ssh-keygen -q -t ed25519 -N '' -f "$T/key"
out=$(as alice --json lease "$cpc" --nodes 1 --billing hourly --ssh-key "$T/key.pub") || fail "lease: $out"
la=$(jq -r .lease.lease_id <<<"$out")
jq -e '.lease.units == [0,1]' <<<"$out" >/dev/null || fail "alice's lease: $out"
out=$(as bob --json lease "$cpc" --nodes 1 --billing hourly) || fail "bob's lease: $out"
lb=$(jq -r .lease.lease_id <<<"$out")
jq -e '.lease.units == [2,3]' <<<"$out" >/dev/null || fail "bob's lease: $out"
expect_error UNITS_UNAVAILABLE 1 carol lease "$cpc" --nodes 1 --billing hourly
[ "$(db "SELECT nodes_free FROM clusters")" = 0 ] || fail "nodes_free after two leases"
as acme reject "$lb" --reason 'maintenance' >/dev/null || fail "reject bob"
as alice release "$la" >/dev/null || fail "release alice's request"
[ "$(db "SELECT nodes_free FROM clusters")" = 2 ] || fail "nodes not free again"

step "a two-node lease: one account, the same on both nodes"
out=$(as alice --json lease "$cpc" --nodes 2 --billing hourly --ssh-key "$T/key.pub") || fail "lease 2: $out"
l2=$(jq -r .lease.lease_id <<<"$out")
code=$(as acme --json approve "$l2" | jq -r .auth_code)
out=$(as alice --json redeem "$code") || fail "redeem: $out $(tail -5 "$T/daemon.log")"
account=$(jq -r .access.username <<<"$out")
ACCOUNTS+=("$account")
jq -e --argjson p0 "$port0" --argjson p1 "$port1" '.access.gpu_indices == [0,1,2,3]
  and [.access.nodes[].port] == [$p0, $p1] and [.access.nodes[].cuda_visible_devices] == ["0,1", "0,1"]
  and [.access.nodes[].gpu_indices] == [[0,1],[2,3]]' <<<"$out" >/dev/null || fail "redeem access: $out"
node_ssh() { # node_ssh PORT COMMAND: the real client with alice's key
  ssh -i "$T/key" -p "$1" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR "$account@127.0.0.1" "$2"
}
[ "$(node_ssh "$port0" 'echo $CUDA_VISIBLE_DEVICES')" = "0,1" ] || fail "login on node 0"
[ "$(node_ssh "$port1" 'echo $CUDA_VISIBLE_DEVICES')" = "0,1" ] || fail "login on node 1"

step "what the account leaves on the nodes is gone after release"
node_ssh "$port0" 'mkdir -p /tmp/cpl-nested/deep && echo x >/tmp/cpl-nested/deep/f && echo y >/var/tmp/cpl-f &&
  echo z >/dev/shm/cpl-f && echo h >/tmp/.cpl-hidden && (nohup sleep 1000 >/dev/null 2>&1 &)' ||
  fail "planting files"
if command -v crontab >/dev/null; then
  echo '* * * * * true' | crontab -u "$account" - || fail "planting a crontab"
fi
at_job=
if command -v at >/dev/null; then
  at_job=$(echo true | su -s /bin/sh "$account" -c 'at now + 1 hour' 2>&1 | grep -o 'job [0-9]*' | awk '{print $2}') || true
fi
su -s /bin/sh "$account" -c 'ipcmk -M 4096 && ipcmk -Q && echo l >/run/lock/cpl-lock' >/dev/null || fail "planting IPC objects"
uid=$(id -u "$account")
# What logind leaves for a user with a session or lingering (no logind here: planted as it would be).
mkdir -p "/run/user/$uid" /var/lib/systemd/linger && echo r >"/run/user/$uid/cpl-runtime" &&
  chown -R "$uid" "/run/user/$uid" && touch "/var/lib/systemd/linger/$account" || fail "planting /run/user, linger"
[ -n "$(find /tmp /var/tmp /dev/shm -xdev -user "$account" 2>/dev/null | head -1)" ] || fail "no files planted"
as alice release "$l2" >/dev/null || fail "release"
for _ in $(seq 1 100); do ! getent passwd "$account" >/dev/null && break; sleep 0.1; done
getent passwd "$account" >/dev/null && fail "the account still exists"
uid_files=$(find /tmp /var/tmp /dev/shm -xdev -name 'cpl-*' -o -xdev -name '.cpl-hidden' 2>/dev/null || true)
[ -z "$uid_files" ] || fail "files left behind: $uid_files"
pgrep -f 'sleep 1000' -u "$account" >/dev/null 2>&1 && fail "processes left behind"
[ -d "/home/$account" ] && fail "home left behind"
awk -v u="$uid" 'NR > 1 && $8 == u' /proc/sysvipc/shm /proc/sysvipc/msg | grep -q . && fail "SysV IPC objects left behind"
[ -e /run/lock/cpl-lock ] && fail "a file in /run/lock left behind"
[ -e "/run/user/$uid" ] && fail "/run/user/$uid left behind"
[ -e "/var/lib/systemd/linger/$account" ] && fail "lingering left on"
if command -v crontab >/dev/null; then
  [ ! -e "/var/spool/cron/crontabs/$account" ] || fail "crontab left behind"
fi
if [ -n "$at_job" ]; then
  atq 2>/dev/null | grep -qw "^$at_job" && fail "at job left behind"
fi

step "an offline GPU: the node is still leased, without it, and not paid for"
as acme units set "$cpc" 3 offline >/dev/null || fail "unit offline"
out=$(as alice --json lease "$cpc" --nodes 2 --billing hourly --ssh-key "$T/key.pub") || fail "lease 3: $out"
l3=$(jq -r .lease.lease_id <<<"$out")
jq -e '.lease.units == [0,1,2]' <<<"$out" >/dev/null || fail "lease with an offline unit: $out"

step "a redeem with one node down leaves no account and names the node"
code=$(as acme --json approve "$l3" | jq -r .auth_code)
stop_node 1
out=$(as alice --json redeem "$code" 2>/dev/null) && fail "redeem with a node down succeeded: $out"
jq -e --arg p "$port1" '.error.message | test("node 1 \\(127.0.0.1:" + $p + "\\)")' <<<"$out" >/dev/null ||
  fail "the error does not name node 1: $out"
account3=$(db "SELECT 'cpl_' || replace(lease_id, '-', '_') FROM leases WHERE lease_id = '$l3'")
ACCOUNTS+=("$account3")
getent passwd "$account3" >/dev/null && fail "the account made on node 0 was left behind"
[ "$(db "SELECT state FROM leases WHERE lease_id = '$l3'")" = approved ] || fail "the lease is not approved still"
start_node 1 "$port1"
# Twice at once (a double click, a client's retry): one redeems; the other waits
# for it (CONFLICT) or finds the code used; the account made stays.
as alice --json redeem "$code" >"$T/redeem1" 2>/dev/null &
r1=$!
as alice --json redeem "$code" >"$T/redeem2" 2>/dev/null &
r2=$!
ok=0
wait $r1 && ok=$((ok + 1))
wait $r2 && ok=$((ok + 1))
[ $ok = 1 ] || fail "two redeems of one code: $ok succeeded: $(cat "$T/redeem1" "$T/redeem2")"
jq -es '[.[] | .error.code // "ok"] | sort | . == ["CONFLICT", "ok"] or . == ["INVALID_CODE", "ok"]' \
  "$T/redeem1" "$T/redeem2" >/dev/null || fail "redeems: $(cat "$T/redeem1" "$T/redeem2")"
sleep 2  # past a removal retry (--revocation-retry 1)
getent passwd "$account3" >/dev/null || fail "the losing redeem took the winner's account away"
[ "$(db "SELECT state FROM leases WHERE lease_id = '$l3'")" = active ] || fail "the lease is not active"

step "a node whose last tenant's account is not removed yet is not leased again"
stop_node 1
as alice release "$l3" >/dev/null || fail "release 3"
[ "$(db "SELECT COUNT(*) FROM revocations r JOIN leases l ON l.id = r.lease_id
  WHERE r.done_at IS NULL AND l.lease_id = '$l3'")" = 1 ] || fail "no pending removal: $(db "SELECT * FROM revocations")"
[ "$(db "SELECT nodes_free || '/' || units_free FROM clusters")" = 0/0 ] || fail "nodes offered while an account is on them"
expect_error UNITS_UNAVAILABLE 1 bob lease "$cpc" --nodes 1 --billing hourly
start_node 1 "$port1"
for _ in $(seq 1 150); do
  ! getent passwd "$account3" >/dev/null && [ "$(db "SELECT COUNT(*) FROM revocations WHERE done_at IS NULL")" = 0 ] && break
  sleep 0.2
done
getent passwd "$account3" >/dev/null && fail "account 3 still exists"
[ "$(db "SELECT nodes_free FROM clusters")" = 2 ] || fail "the nodes are not offered again after the removal"
echo "PASS"
