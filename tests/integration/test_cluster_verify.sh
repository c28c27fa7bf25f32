#!/usr/bin/env bash
# A-class access checked against a real OpenSSH sshd on loopback (its own
# config, host key and authorized_keys; the machine's SSH setup is untouched):
# the supplier installs the cluster's provisioning key, `cpshare cluster verify`
# pins the host key; a host key that changes is refused and reported until the
# owner re-pins it. [R-CL-3] [R-LEASE-5] [R-SEC-1] [R-SEC-4]
source "$(dirname "$0")/lib.sh"
start_daemon
make_admin root
make_pdf "$T/l.pdf"
echo "$PW" | as acme register --supplier --kind individual --username acme --email acme@example.org \
  --phone 13800138201 --region 深圳 --real-name 张三 --id-number 11010519491231002X --address 深圳市 \
  --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
as acme activate --username acme "$(code_for acme@example.org)" >/dev/null
as root admin review approve acme >/dev/null
echo "$PW" | as acme login --username acme --password-stdin >/dev/null
echo "$PW" | as rival register --supplier --kind individual --username rival --email rival@example.org \
  --phone 13800138202 --region 深圳 --real-name 李四 --id-number 11010519491231002X --address 深圳市 \
  --licence "$T/l.pdf" --password-stdin --accept-terms >/dev/null
as rival activate --username rival "$(code_for rival@example.org)" >/dev/null
as root admin review approve rival >/dev/null
echo "$PW" | as rival login --username rival --password-stdin >/dev/null

port=$(free_port)
admin_user=$(id -un)
step "publish an A-class cluster on 127.0.0.1:$port; the daemon hands out its provisioning key"
out=$(as acme --json publish --class A --resource-type GPU --model 'A100 80GB' --units 4 --unit-memory 80GB \
  --memory 512GB --vcpus 64 --price-hourly 20 --vendor Acme --location 深圳市 --region 深圳 \
  --storage '2TB nvme' --usage 'ssh in' --ssh-host 127.0.0.1 --ssh-port "$port" --ssh-user "$admin_user") ||
  fail "publish: $out"
id=$(jq -r .cluster.cpc_id <<<"$out")
pub=$(jq -r .provisioning_public_key <<<"$out")
[[ $pub == ssh-ed25519\ * ]] || fail "no ed25519 provisioning key: $out"
# The private half never leaves the daemon: not in any answer, sealed in the database.
grep -q 'PRIVATE KEY' <<<"$(as acme --json show "$id")" && fail "show leaks the private key"
[ "$(db "SELECT COUNT(*) FROM cluster_secrets WHERE length(ssh_key_enc) > 0")" -ge 1 ] || fail "no sealed key stored"
db "SELECT COUNT(*) FROM cluster_secrets WHERE CAST(ssh_key_enc AS TEXT) LIKE '%PRIVATE KEY%'" | grep -qx 0 ||
  fail "the provisioning key is stored in clear"

# The supplier's host: a private sshd with the provisioning key installed.
sshd_dir=$T/sshd
mkdir -p "$sshd_dir"
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd && chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$sshd_dir/host_key"
echo "$pub" >"$sshd_dir/authorized_keys"
chmod 600 "$sshd_dir/authorized_keys"
cat >"$sshd_dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $sshd_dir/host_key
AuthorizedKeysFile $sshd_dir/authorized_keys
PidFile $sshd_dir/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
LogLevel VERBOSE
CONF
# (errexit is off in the trap, or a failing step there would skip cleanup and
# leave the daemon holding the test's output open.)
trap 'rc=$?; set +e; stop_sshd; (exit $rc); cleanup' EXIT
start_sshd

step "first verify pins the host key (the same fingerprint ssh-keygen prints)"
expected=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | awk '{print $2}')
out=$(as acme --json cluster verify "$id") || fail "verify: $out $(tail -5 "$T/sshd.log")"
jq -e --arg fp "$expected" '.nodes[0].fingerprint == $fp and .nodes[0].pinned_now' <<<"$out" >/dev/null || fail "verify: $out"
as acme --json cluster verify "$id" | jq -e '.nodes[0].pinned_now | not' >/dev/null || fail "second verify re-pinned"
as acme --json show "$id" | jq -e --arg fp "$expected" '.cluster.access.nodes[0].host_key_fingerprint == $fp
  and .provisioning.nodes_unverified == 0' >/dev/null ||
  fail "show lacks the pinned fingerprint"

step "only the owner (or an admin) verifies"
expect_error FORBIDDEN 4 rival cluster verify "$id"

step "a changed host key is refused and reported"
stop_sshd
rm -f "$sshd_dir/host_key" "$sshd_dir/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$sshd_dir/host_key"
start_sshd
expect_error CONFLICT 1 acme cluster verify "$id"
out=$(as acme --json cluster verify "$id" || true)
jq -e '.error.message | contains("--repin")' <<<"$out" >/dev/null || fail "the refusal does not say how to re-pin: $out"
as root --json admin audit --event host_key_changed | jq -e '.items | length >= 1' >/dev/null ||
  fail "host key change not audited"

step "the owner re-pins after confirming the new key"
new=$(ssh-keygen -lf "$sshd_dir/host_key.pub" | awk '{print $2}')
as acme --json cluster verify "$id" --repin | jq -e --arg fp "$new" '.nodes[0].fingerprint == $fp and .nodes[0].pinned_now' \
  >/dev/null || fail "repin"
as acme --json cluster verify "$id" | jq -e '.nodes[0].pinned_now | not' >/dev/null || fail "verify after repin"

step "an unreachable host is reported, not hidden"
stop_sshd
expect_error UNAVAILABLE 1 acme cluster verify "$id"
echo "PASS"
