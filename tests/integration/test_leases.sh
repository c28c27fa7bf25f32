#!/usr/bin/env bash
# A-class leases end to end through the real binaries and a real OpenSSH sshd
# on loopback (its own config and host key; the machine's SSH setup is
# untouched): lease → approve (one-time code) → redeem creates a dedicated
# account → the user logs in with the real ssh client (key and password) and
# sees CUDA_VISIBLE_DEVICES → release removes the account and its home, units
# return to idle, the bill is settled. With the host down at the end, the
# removal is retried until it succeeds, across a daemon restart.
# [R-LEASE-1] [R-LEASE-2] [R-LEASE-4] [R-LEASE-5] [R-LEASE-7] [R-API-ITM] [R-SEC-1]
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: creating lease accounts needs root"; exit 0; }
command -v sshpass >/dev/null || fail "sshpass is missing (scripts/deps.sh installs it)"
start_daemon --revocation-retry 1
make_admin root
make_pdf "$T/l.pdf"
make_supplier acme 13800138301
make_supplier rival 13800138302
make_user alice 13800138303
make_user bob 13800138304

port=$(free_port)
out=$(as acme --json publish --class A --resource-type GPU --model 'A100 80GB' --units 2 --unit-memory 80GB \
  --memory 512GB --vcpus 64 --price-hourly 20 --price-daily 400 --vendor Acme --location 深圳市 --region 深圳 \
  --storage '2TB nvme' --usage 'conda activate torch' --ssh-host 127.0.0.1 --ssh-port "$port" --ssh-user root) ||
  fail "publish: $out"
cpc=$(jq -r .cluster.cpc_id <<<"$out")

# The supplier's host: a private sshd, the provisioning key for root, and
# per-account authorized_keys plus passwords for the lease accounts.
sshd_dir=$T/sshd
mkdir -p "$sshd_dir" /run/sshd
chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$sshd_dir/host_key"
jq -r .provisioning_public_key <<<"$out" >"$sshd_dir/authorized_keys"
chmod 600 "$sshd_dir/authorized_keys"
cat >"$sshd_dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $sshd_dir/host_key
AuthorizedKeysFile $sshd_dir/authorized_keys .ssh/authorized_keys
PidFile $sshd_dir/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
LogLevel VERBOSE
CONF
ACCOUNTS=()
remove_accounts() { for a in "${ACCOUNTS[@]}"; do id "$a" >/dev/null 2>&1 && userdel -r -f "$a" >/dev/null 2>&1; done; }
trap 'rc=$?; set +e; stop_sshd; remove_accounts; (exit $rc); cleanup' EXIT
start_sshd
as acme --json cluster verify "$cpc" >/dev/null || fail "cluster verify"

ssh-keygen -q -t ed25519 -N '' -f "$T/alice_key"
user_ssh() { # user_ssh USER COMMAND: the real client with alice's key, no host key prompts
  ssh -i "$T/alice_key" -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR "$1@127.0.0.1" "$2"
}

step "lease: the node's units are taken at once; a second user gets nothing of a leased node"
out=$(as alice --json lease "$cpc" --nodes 1 --billing hourly --ssh-key "$T/alice_key.pub") || fail "lease: $out"
lease=$(jq -r .lease.lease_id <<<"$out")
jq -e '.lease.state == "requested" and .lease.units == [0,1] and .lease.unit_price == 2000' <<<"$out" >/dev/null ||
  fail "lease: $out"
[ "$(db "SELECT units_free FROM clusters")" = 0 ] || fail "units not taken"
expect_error UNITS_UNAVAILABLE 1 bob lease "$cpc" --nodes 1 --billing hourly
expect_error FORBIDDEN 4 acme lease "$cpc" --nodes 1 --billing hourly

step "approve: only the cluster's supplier; the code is shown once"
expect_error NOT_FOUND 5 rival approve "$lease"
code=$(as acme --json approve "$lease" | jq -r .auth_code)
[[ $code =~ ^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$ ]] || fail "auth code: $code"
db "SELECT COUNT(*) FROM auth_codes WHERE CAST(code_hash AS TEXT) LIKE '%${code:0:4}%'" | grep -qx 0 ||
  fail "the code is stored in clear"

step "redeem: someone else's code reveals nothing; the owner gets a dedicated account"
expect_error INVALID_CODE 2 bob redeem "$code"
out=$(as alice --json redeem "$code") || fail "redeem: $out $(tail -5 "$T/daemon.log")"
account=$(jq -r .access.username <<<"$out")
password=$(jq -r .access.password <<<"$out")
ACCOUNTS+=("$account")
jq -e --argjson p "$port" '.access.host == "127.0.0.1" and .access.port == $p and .access.gpu_indices == [0,1]
  and .lease.state == "active"' <<<"$out" >/dev/null || fail "redeem: $out"
[ "${#password}" -ge 16 ] || fail "weak password"
[ "$(db "SELECT group_concat(status) FROM cluster_units WHERE idx < 2")" = "busy,busy" ] || fail "units not busy"
expect_error INVALID_CODE 2 alice redeem "$code"  # one-time

step "the user logs in with the real ssh client: key and password; CUDA_VISIBLE_DEVICES is the leased units"
[ "$(user_ssh "$account" 'echo $CUDA_VISIBLE_DEVICES')" = "0,1" ] || fail "key login or CUDA_VISIBLE_DEVICES"
got=$(SSHPASS=$password sshpass -e ssh -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o PubkeyAuthentication=no -o LogLevel=ERROR "$account@127.0.0.1" 'echo $CUDA_VISIBLE_DEVICES') ||
  fail "password login"
[ "$got" = "0,1" ] || fail "password login shows CUDA_VISIBLE_DEVICES=$got"
user_ssh "$account" 'nohup sleep 1000 >/dev/null 2>&1 &' || true

step "the access again, to its owner only"
as alice --json leases show "$lease" --access | jq -e --arg pw "$password" '.access.password == $pw' >/dev/null ||
  fail "leases show --access"
expect_error NOT_FOUND 5 bob leases show "$lease"
expect_error NOT_FOUND 5 bob release "$lease"
expect_error NOT_FOUND 5 rival terminate "$lease" --reason x

step "release: the account, its processes and its home are gone; units idle; billed"
out=$(as alice --json release "$lease") || fail "release: $out"
jq -e '.lease.state == "ended" and .lease.end_reason == "released" and (.lease.charged | type == "number")' \
  <<<"$out" >/dev/null || fail "release: $out"
charged=$(jq -r .lease.charged <<<"$out")
getent passwd "$account" >/dev/null && fail "the account still exists"
[ -d "/home/$account" ] && fail "the home still exists"
pgrep -u "$account" >/dev/null 2>&1 && fail "the account's processes still run"
user_ssh "$account" true 2>/dev/null && fail "login still works after release"
[ "$(db "SELECT units_free FROM clusters")" = 2 ] || fail "units not idle"
[ "$(as alice --json bills | jq .total)" = "-$charged" ] || fail "bills do not show the charge"
[ "$(as acme --json earnings | jq .total)" = "$charged" ] || fail "earnings do not show the charge"

step "host down at the end: the removal is retried, across a restart, until done"
out=$(as alice --json lease "$cpc" --nodes 1 --billing daily --periods 2) || fail "lease 2: $out"
lease2=$(jq -r .lease.lease_id <<<"$out")
code2=$(as acme --json approve "$lease2" | jq -r .auth_code)
account2=$(as alice --json redeem "$code2" | jq -r .access.username)
ACCOUNTS+=("$account2")
getent passwd "$account2" >/dev/null || fail "second account not created"
stop_sshd
out=$(as alice --json release "$lease2") || fail "release 2: $out"
jq -e '.lease.state == "ended" and .lease.charged == 80000 and .lease.refunded == 80000' <<<"$out" >/dev/null ||
  fail "daily early release: $out"
getent passwd "$account2" >/dev/null || fail "removed without reaching the host?"
[ "$(db "SELECT COUNT(*) FROM revocations WHERE done_at IS NULL")" = 1 ] || fail "no pending removal recorded"
# The supplier is told, by mail and in the audit log under their account.
mail=$(newest_mail_to acme@example.org)
grep -aq "$account2" "$mail" && grep -aq "$lease2" "$mail" && grep -aq "tries again" "$mail" ||
  fail "the supplier's mail does not name the account, the lease and the retry: $(cat "$mail")"
[ "$(db "SELECT COUNT(*) FROM audit_log WHERE event = 'lease_revocation_pending' AND username = 'acme'
         AND json_extract(detail, '$.mailed') = 1 AND json_extract(detail, '$.account') = '$account2'")" = 1 ] ||
  fail "the pending removal is not in the supplier's audit log"
stop_daemon
start_daemon --revocation-retry 1
start_sshd
# The account goes first, then the daemon records the removal: wait for both.
for _ in $(seq 1 150); do
  ! getent passwd "$account2" >/dev/null &&
    [ "$(db "SELECT COUNT(*) FROM revocations WHERE done_at IS NULL")" = 0 ] && break
  sleep 0.2
done
getent passwd "$account2" >/dev/null && fail "the account was not removed once the host was back"
[ "$(db "SELECT COUNT(*) FROM revocations WHERE done_at IS NULL")" = 0 ] || fail "removal still pending"

step "the ledger reconciles with the leases"
[ "$(db "SELECT SUM(amount) FROM ledger WHERE account_id = (SELECT id FROM accounts WHERE username='alice')")" = \
  "-$(db "SELECT SUM(charged) FROM leases")" ] || fail "user ledger vs leases"
[ "$(db "SELECT SUM(amount) FROM ledger WHERE kind='earning'")" = "$(db "SELECT SUM(charged) FROM leases")" ] ||
  fail "earnings vs leases"
echo "PASS"
