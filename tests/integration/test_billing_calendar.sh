#!/usr/bin/env bash
# The platform's calendar (issue 8): cpshared --billing-timezone (an unknown zone refused at
# start), bill months strict and on the platform's calendar, and the CLI showing the wire's
# UTC times in the user's zone (TZ) with the offset while --json keeps the wire's strings.
# The calendar arithmetic itself is proven in tests/unit/test_billing.cpp and test_leases.cpp.
# [R-LEASE-1]
source "$(dirname "$0")/lib.sh"

step "an unknown --billing-timezone is refused at start, before anything is written"
rc=0
"$CPSHARED" --data-dir "$T/x" --billing-timezone Asia/Beijing 2>"$T/err" || rc=$?
[ $rc = 2 ] || fail "expected exit 2, got $rc"
grep -q "Asia/Beijing" "$T/err" && grep -q "Asia/Shanghai" "$T/err" || fail "the refusal does not say what to give: $(cat "$T/err")"
[ ! -e "$T/x" ] || fail "the data dir was created by a daemon that refused to start"

step "a daemon on another calendar starts; months are read strictly"
start_daemon --billing-timezone Europe/Berlin
make_user alice 13800138001
as alice --json bills --month 2027-03 | jq -e '.month == "2027-03" and .time_zone == "Europe/Berlin" and .items == [] and .total == 0' >/dev/null ||
  fail "bills --month 2027-03"
for bad in 2026-13 2026-00 2026-1 2026-03-01; do
  rc=0
  as alice bills --month "$bad" >/dev/null 2>"$T/err" || rc=$?
  [ $rc = 2 ] || fail "bills --month $bad exited $rc, expected 2 (usage)"
  grep -q "01 to 12" "$T/err" || fail "bills --month $bad: $(cat "$T/err")"
done

step "times in the user's zone with the offset; --json keeps the wire's UTC"
created=$(as alice --json sessions list | jq -r '.items[0].created_at')
[[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "wire time $created"
for zone in Asia/Shanghai Asia/Kolkata America/Caracas; do
  want=$(TZ=$zone date -d "$created" '+%Y-%m-%d %H:%M %:z')
  TZ=$zone as alice sessions list >"$T/out"
  grep -qF -- "$want" "$T/out" || fail "TZ=$zone: expected $want in: $(cat "$T/out")"
done
TZ=UTC as alice sessions list | grep -qF -- "$(date -u -d "$created" '+%Y-%m-%d %H:%M') +00:00" || fail "TZ=UTC"
stop_daemon
echo "PASS"
