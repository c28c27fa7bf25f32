// The command table: the one list of what cpshare can do. It drives parsing and
// dispatch (runner.cpp), --help, "did you mean", the man page and the shell
// completions (docgen.cpp).
#include "clicmd/context.hpp"
#include "clicmd/handlers.hpp"

namespace cpshare::clicmd {

const std::vector<Command>& commands() {
  using namespace cmd;
  static const std::vector<Command> table = {
      {{"register"},
       "Register a user or supplier account",
       {"cpshare register",
        "printf '%s\\n' \"$PASSWORD\" | cpshare register --user-type individual --username alice "
        "--email alice@example.org --phone 13800138000 --region Shenzhen --real-name 'Zhang San' "
        "--id-number 11010519491231002X --password-stdin --accept-terms",
        "cpshare register --supplier --kind enterprise --username acme --company-name 'Acme Computing' "
        "--registered-capital 5000000.00 --licence licence.pdf ..."},
       declare_register,
       run_register,
       false,
       "On a terminal, cpshare asks for each missing field, for the password twice (without echo), "
       "shows the registration agreement and privacy policy and asks to accept them, then asks for "
       "the 6-digit code mailed to the email address and activates the account. Off a terminal pass "
       "every field as a flag, --password-stdin and --accept-terms; --code-stdin then reads the code "
       "from the next line of stdin. Users of type university, research_institute and enterprise, and "
       "all suppliers, attach a licence and a credit code, and an administrator reviews the account "
       "after activation. With --json, prints the registration's data (account and activation); when "
       "the account was activated as well, account is the activated account."},
      {{"activate"},
       "Activate an account with the mailed code or link token, or send a new one",
       {"cpshare activate --username alice 123456", "cpshare activate TOKEN",
        "cpshare activate --resend --username alice"},
       declare_activate,
       run_activate},
      {{"login"},
       "Log in and store the session for this server",
       {"cpshare login", "printf '%s\\n' \"$PASSWORD\" | cpshare login --username alice --password-stdin",
        "cpshare login --username alice --totp 123456"},
       declare_login,
       run_login,
       false,
       "The session's token is stored in hosts.json and this server becomes the default for later "
       "commands. When the account has MFA on, cpshare asks for the code on a terminal; elsewhere "
       "pass --totp or --recovery-code."},
      {{"logout"}, "End this session and forget its token", {"cpshare logout"}, nullptr, run_logout},
      {{"whoami"},
       "Show who is logged in on the server",
       {"cpshare whoami", "cpshare whoami --json"},
       nullptr,
       run_whoami},
      {{"sessions"}, "List and end your sessions"},
      {{"sessions", "list"},
       "List your sessions on the server (* marks this one)",
       {"cpshare sessions list"},
       nullptr,
       run_sessions_list},
      {{"sessions", "revoke"},
       "End one of your sessions",
       {"cpshare sessions revoke s_3f9a0c1d2e3f4a5b"},
       declare_sessions_revoke,
       run_sessions_revoke},
      {{"profile"}, "Show and update your profile"},
      {{"profile", "show"}, "Show your account's profile", {"cpshare profile show"}, nullptr, run_profile_show},
      {{"profile", "update"},
       "Update contact details, region, organization or settlement account",
       {"cpshare profile update --email new@example.org --region Guangzhou"},
       declare_profile_update,
       run_profile_update,
       false,
       "Identity (real name, ID numbers, company name, credit code, legal representative) cannot be "
       "changed here."},
      {{"password"}, "Change your password"},
      {{"password", "change"},
       "Change your password; ends every session, this one included",
       {"cpshare password change", "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | cpshare password change --password-stdin"},
       declare_password_change,
       run_password_change},
      {{"deregister"},
       "Deregister your account (billing records are kept, personal data erased)",
       {"cpshare deregister", "printf '%s\\n' \"$PASSWORD\" | cpshare deregister --yes --password-stdin"},
       declare_deregister,
       run_deregister,
       false,
       "On a terminal cpshare asks to type the username to confirm; off a terminal pass --yes."},
      {{"mfa"}, "Two-factor authentication with an authenticator app (TOTP)"},
      {{"mfa", "enable"},
       "Turn on two-factor authentication",
       {"cpshare mfa enable", "cpshare mfa enable --code 123456"},
       declare_mfa_enable,
       run_mfa_enable,
       false,
       "Starts the setup and prints the otpauth URI and the secret for an authenticator app. On a "
       "terminal it then asks for the first code, and prints the recovery codes once. Off a terminal it "
       "stops after printing them (with --json: secret and otpauth_uri); confirm the setup with "
       "--code C, which prints the recovery codes."},
      {{"mfa", "disable"},
       "Turn off two-factor authentication",
       {"cpshare mfa disable --code 123456"},
       declare_mfa_disable,
       run_mfa_disable},
      {{"admin"}, "Administer the platform (admin accounts only)"},
      {{"admin", "review"}, "Review accounts that submitted a licence"},
      {{"admin", "review", "list"},
       "List accounts awaiting review",
       {"cpshare admin review list", "cpshare admin review list --status rejected --json"},
       declare_review_list,
       run_review_list},
      {{"admin", "review", "show"},
       "Show an account under review, and save its licence file",
       {"cpshare admin review show alice --licence-out alice-licence.pdf"},
       declare_review_show,
       run_review_show},
      {{"admin", "review", "approve"},
       "Approve an account: it becomes active",
       {"cpshare admin review approve alice"},
       declare_review_approve,
       run_review_approve},
      {{"admin", "review", "reject"},
       "Reject an account, with a reason mailed to its holder",
       {"cpshare admin review reject alice --reason 'The licence is illegible; upload a clearer scan.'"},
       declare_review_reject,
       run_review_reject},
      {{"admin", "audit"},
       "Show the security audit log, newest first",
       {"cpshare admin audit --event login_failed --limit 20"},
       declare_audit,
       run_audit},
      {{"publish"},
       "Publish a cluster in the catalogue (active suppliers)",
       {"cpshare publish --class A --resource-type GPU --model 'A100 80GB' --units 8 --unit-memory 80GB "
        "--memory 1TB --vcpus 128 --price-hourly 12.50 --price-monthly 6000 --vendor NVIDIA --location 深圳市 "
        "--region Guangdong --storage '2x3.84TB nvme data, 480GB ssd system' --cuda 12.4 --python 3.11 "
        "--framework 'pytorch 2.3' --usage-file usage.md --ssh-host gpu1.example.org --ssh-user cpshare",
        "cpshare publish --file cluster.json"},
       declare_publish,
       run_publish,
       false,
       "Sizes take units (80GB, 3.84TB, 512GiB: GB is 1000^3, GiB 1024^3) and prices are yuan per unit "
       "with up to two decimals; cpshare sends bytes and fen and refuses a bad value before sending "
       "anything, naming every bad flag. Offer at least one price mode; a mode left out is not offered. "
       "Class A clusters are reached by SSH (--usage or --usage-file, --ssh-host, --ssh-port, --ssh-user); "
       "class B clusters on your platform (--platform-url, --environment). --framework and --environment "
       "may be repeated. --file sends a publish request in the API's own JSON (bytes and fen) as is, and "
       "cannot be combined with the field flags. For class A, cpshare prints the cluster's provisioning "
       "public key: append it to ~ADMIN_USER/.ssh/authorized_keys on the SSH host, then run cpshare "
       "cluster verify CPCID. For class B, it prints the agent token, shown once: store it now. With "
       "--json, prints the data: {\"cluster\": {...}, \"provisioning_public_key\": ..., \"agent_token\": "
       "...} (each null when not given)."},
      {{"show"},
       "Show a cluster: every field and the status of each unit",
       {"cpshare show cp-7k2m9x4qvd", "cpshare show cp-7k2m9x4qvd --json"},
       declare_show,
       run_show,
       false,
       "Sizes are shown in decimal units and prices in yuan per unit for each billing mode (— for a mode "
       "not offered). The unit grid shows 16 units a row: . idle, B busy, x offline. SSH access details "
       "are shown to the cluster's owner only, with, for class A, the provisioning public key and the "
       "pinned SHA256 fingerprint of the host's key (not verified yet before the first cpshare cluster "
       "verify)."},
      {{"list"},
       "List clusters in the catalogue",
       {"cpshare list", "cpshare list --region any --sort price_hourly --limit 20", "cpshare list --mine"},
       declare_list,
       run_list,
       false,
       "By default: listed clusters with free units, your region first, then newest first. --mine lists "
       "your own clusters, delisted ones included, with their status. PRICE is the hourly price per unit "
       "in yuan, or the first mode offered (/day, /month, /year) when there is none."},
      {{"filter"},
       "List the clusters that match a filter expression",
       {"cpshare filter 'class=A units_free>=4 model~A100 price_hourly<=30 location=深圳市' --sort price_hourly",
        "cpshare filter 'resource_type=NPU' --region any"},
       declare_filter,
       run_filter,
       false,
       "The expression is a space-separated list of terms FIELD OP VALUE, all of which must hold (= != < <= > "
       ">= and ~ for contains); quote it for the shell. The server checks it and names the term at fault. "
       "The table is as for cpshare list."},
      {{"update"},
       "Change some fields of a cluster you published",
       {"cpshare update cp-7k2m9x4qvd --price-hourly 11.00 --units 16",
        "cpshare update cp-7k2m9x4qvd --framework 'pytorch 2.4' --framework 'jax 0.4'",
        "cpshare update cp-7k2m9x4qvd --file patch.json"},
       declare_update,
       run_update,
       false,
       "Takes the flags of cpshare publish; only the fields given change (a repeated flag replaces the "
       "whole list, --storage the whole description). The class cannot change: delist and publish anew. "
       "--file sends a JSON merge patch in the API's units (null removes an optional value) as is."},
      {{"delist"},
       "Withdraw a cluster from the catalogue (it can be relisted)",
       {"cpshare delist cp-7k2m9x4qvd"},
       declare_delist,
       run_delist},
      {{"relist"}, "List a delisted cluster again", {"cpshare relist cp-7k2m9x4qvd"}, declare_delist, run_relist},
      {{"units"},
       "Show the status of each unit of a cluster",
       {"cpshare units cp-7k2m9x4qvd", "cpshare units set cp-7k2m9x4qvd 3 offline"},
       declare_units,
       run_units,
       false,
       "Prints the units 16 a row: . idle, B busy, x offline. Change a unit's status with cpshare units set."},
      {{"units", "set"},
       "Take a unit of your cluster offline, or bring it back (idle)",
       {"cpshare units set cp-7k2m9x4qvd 3 offline", "cpshare units set cp-7k2m9x4qvd 3 idle"},
       declare_units_set,
       run_units_set,
       false,
       "A busy unit (leased) cannot be changed."},
      {{"cluster"}, "Manage the platform's access to your clusters"},
      {{"cluster", "verify"},
       "Check that the platform can reach an A-class cluster over SSH",
       {"cpshare cluster verify cp-7k2m9x4qvd", "cpshare cluster verify cp-7k2m9x4qvd --repin"},
       declare_cluster_verify,
       run_cluster_verify,
       false,
       "The daemon connects to the cluster's SSH host as its admin user (--ssh-user of cpshare publish) "
       "with the cluster's provisioning key, which cpshare publish printed for the supplier to append to "
       "that user's ~/.ssh/authorized_keys. At first contact it pins the SHA256 fingerprint of the host's "
       "key; afterwards it refuses a host key that has changed. --repin accepts a new host key: use it "
       "only after the supplier has confirmed the new fingerprint out of band. With --json, prints the "
       "data: fingerprint, key_type, pinned_now and verified_at."},
      {{"lease"},
       "Lease units of a cluster (active users)",
       {"cpshare lease cp-7k2m9x4qvd --units 2 --billing hourly --ssh-key ~/.ssh/id_ed25519.pub",
        "cpshare lease cp-7k2m9x4qvd --units 1 --billing daily --periods 7",
        "LEASE=$(cpshare --json lease cp-7k2m9x4qvd --units 1 --billing monthly | jq -r .lease.lease_id)"},
       declare_lease,
       run_lease,
       false,
       "Reserves N idle units at the cluster's current price for the billing mode (later price changes do not "
       "touch the lease). hourly is paid at the end for every started minute; --periods K then only plans K "
       "hours for the estimate. daily, monthly and yearly are prepaid for K periods (default 1) when the lease "
       "starts; releasing early refunds the periods not yet begun. For a class A cluster the supplier approves "
       "the request and passes you an authorization code: cpshare redeem CODE creates your account. --ssh-key "
       "installs your public key in that account. With --json, prints {\"lease\": {...}}: take the id from "
       ".lease.lease_id."},
      {{"leases"},
       "List your leases, or (--incoming) those of your clusters",
       {"cpshare leases", "cpshare leases --state active", "cpshare leases --incoming --state requested",
        "cpshare leases show ls-7k2m9x4qvd --access"},
       declare_leases,
       run_leases,
       false,
       "AMOUNT is in yuan: what was charged once settled, the running cost of an active hourly lease (so far), "
       "else the estimate (~). Times are your local time (TZ) with its offset. ENDS is when the lease ended, or its "
       "planned end. Show one lease "
       "with cpshare leases show."},
      {{"leases", "show"},
       "Show a lease: terms, amounts, times and (--access) your account on the cluster",
       {"cpshare leases show ls-7k2m9x4qvd", "cpshare leases show ls-7k2m9x4qvd --access"},
       declare_leases_show,
       run_leases_show,
       false,
       "Amounts are in yuan and times your local time (TZ) with its offset. --access shows the access details (host, "
       "port, "
       "username, password, GPU indices) again; only the lease's user sees them, once the code is redeemed."},
      {{"approve"},
       "Approve a lease request of your cluster and get its authorization code",
       {"cpshare approve ls-7k2m9x4qvd", "cpshare --json approve ls-7k2m9x4qvd | jq -r .auth_code"},
       declare_lease_id,
       run_approve,
       false,
       "Prints the one-time authorization code: it is shown only once, so pass it to the user now (they run "
       "cpshare redeem CODE). If it is not redeemed before it expires the lease lapses and its units return to "
       "idle. With --json, prints {\"lease\", \"auth_code\", \"expires_at\"}."},
      {{"reject"},
       "Reject a lease request of your cluster, with a reason for the user",
       {"cpshare reject ls-7k2m9x4qvd --reason 'Units 0-3 are reserved for maintenance this week.'"},
       declare_lease_reason,
       run_reject,
       false,
       "The units return to idle. On a terminal cpshare asks for the reason when --reason is not given."},
      {{"terminate"},
       "End a running lease of your cluster, with a reason for the user",
       {"cpshare terminate ls-7k2m9x4qvd --reason 'Hardware fault on the host.'"},
       declare_lease_reason,
       run_terminate,
       false,
       "The user's account is locked, its processes killed and the account removed; the lease is settled as if "
       "released now (prepaid periods not yet begun are refunded)."},
      {{"release"},
       "End your own lease now (its account is removed)",
       {"cpshare release ls-7k2m9x4qvd"},
       declare_lease_id,
       run_release,
       false,
       "Settles the lease: hourly leases are charged every started minute; prepaid leases are charged the periods "
       "begun and refunded the rest. Your account on the cluster is locked, its processes killed and it is "
       "removed: copy your results off first."},
      {{"redeem"},
       "Redeem an authorization code: create your account and show its access",
       {"cpshare redeem 7K2M-9X4Q-VD3H-RT8N", "cpshare --json redeem 7K2M-9X4Q-VD3H-RT8N | jq -r .access.password"},
       declare_redeem,
       run_redeem,
       false,
       "The daemon creates a dedicated account on the cluster's SSH host (this can take some seconds), with "
       "CUDA_VISIBLE_DEVICES set to your units, and billing starts. Prints the host, port, username, password, "
       "GPU indices, the supplier's usage notes and an ssh command line. Case, dashes and spaces in the code do "
       "not matter. See the details again with cpshare leases show LEASE --access. With --json, prints "
       "{\"lease\", \"access\"}."},
      {{"bills"},
       "Show your charges and refunds for a month",
       {"cpshare bills", "cpshare bills --month 2026-11 --csv > bills-2026-11.csv"},
       declare_ledger,
       run_bills,
       false,
       "One row per ledger entry (charges negative, refunds positive), amounts in yuan, and the month's total. "
       "Months are the platform's calendar months (Beijing time, Asia/Shanghai, unless cpshared runs with "
       "--billing-timezone); times are "
       "your local time (TZ). --csv prints RFC 4180 CSV with the header at,lease_id,kind,amount_fen,amount_yuan "
       "(at in RFC 3339 UTC)."},
      {{"earnings"},
       "Show your earnings from leases of your clusters for a month (suppliers)",
       {"cpshare earnings", "cpshare earnings --month 2026-11 --csv > earnings-2026-11.csv"},
       declare_ledger,
       run_earnings,
       false,
       "One row per settled lease, amounts in yuan, and the month's total. Months are the platform's calendar "
       "months (Beijing time, Asia/Shanghai, unless cpshared runs with --billing-timezone); times are your local time "
       "(TZ). --csv prints "
       "RFC 4180 CSV with the header at,lease_id,kind,amount_fen,amount_yuan (at in RFC 3339 UTC)."},
      {{"version"}, "Show the versions of cpshare and of the server", {"cpshare version"}, nullptr, run_version},
      {{"completion"},
       "Print the shell completion script for bash, zsh or fish",
       {"source <(cpshare completion bash)", "cpshare completion fish > ~/.config/fish/completions/cpshare.fish"},
       declare_completion,
       run_completion},
      {{"__man"}, "Print the man page (roff)", {}, nullptr, run_man, /*hidden=*/true},
  };
  return table;
}

}  // namespace cpshare::clicmd
