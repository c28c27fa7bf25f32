// Lease accounts on an A-class supplier host (R-LEASE-5): over ssh::run as the
// cluster's admin user, create one Unix account per lease and remove it when
// the lease ends.
//
// Each call sends one constant POSIX sh script, run as `/bin/sh -c SCRIPT`
// directly when the admin is root and through `sudo -n` otherwise (the admin
// then needs passwordless sudo for /bin/sh; the admin's login shell must be
// POSIX: sh, bash, dash, zsh or ksh). Every value from the caller is validated
// here first and reaches the host only as a checked token argument
// ([a-z0-9_,-]) or on stdin (the public key, and the password, which only
// chpasswd reads); nothing the caller passes can change the script.
//
// Only accounts named "cpl_..." (lease_username) whose GECOS full name (the
// field up to its first comma: a lease user may change the room and phone
// subfields with chfn, not the full name) is kLeaseGecos are ever removed or
// re-applied to, so a wrong name can never delete or change a supplier's own
// user.
//
// Every file in a lease account's home is read and written as that user
// (setpriv from util-linux, which the host needs), never as root: the user
// owns the home and may have left symlinks there. Creates and removes on one
// host run one at a time (flock on /run/cpshare-provision.lock, where
// util-linux has flock), so the nodes of a multi-node lease that share their
// accounts may create the same account at once.
//
// GPU isolation is advisory: CUDA_VISIBLE_DEVICES is exported at the top of
// the account's ~/.bashrc (before Debian's "not interactive: return", so it
// also holds for `ssh host CMD`) and ~/.profile. The user can unset or change
// it, and the host does not enforce it (no cgroup device rules); the files stay
// owned by the user (root-owning them would not stop a user who owns the home
// directory from replacing them, and would break tools like `conda init`).
//
// Error codes: ValidationFailed = bad input (fields[] names it; nothing was
// sent to the host); Conflict = an account (or group) of that name exists that
// cpshare did not make (create, remove); Unavailable = the host could not be
// reached or a remote step failed (the message has the remote stderr, trimmed,
// never the password); Conflict/Internal from ssh::run pass through (changed
// host key, missing pin). Remote failures are safe to retry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ssh/ssh.hpp"
#include "util/error.hpp"

namespace cpshare::ssh {

// The GECOS (comment) field of every lease account; create and remove check its
// full name (up to the first comma).
inline constexpr std::string_view kLeaseGecos = "cpshare lease";

struct LeaseAccount {
  std::string username;  // from lease_username(): ^cpl_[a-z0-9_]{1,28}$ (a valid ^[a-z][a-z0-9_]{2,31}$ name)
  std::string password;  // 20-128 printable ASCII chars, no spaces (random_password()); reaches chpasswd on stdin only
  std::string public_key;  // optional: one OpenSSH public key line "TYPE BASE64 [COMMENT]"; no options, no control
                           // chars; surrounding whitespace (a trailing newline) is trimmed; the key blob must name TYPE
  std::vector<int>
      gpu_indices;  // the leased GPU indices in CUDA order, e.g. {2, 3}: 0-255, no repeats; empty = no GPU visible
  std::int64_t expires_at =
      0;  // unix seconds (UTC), > 0; the account expires (cannot log in) from 00:00 UTC of the next
          // day, as useradd -e counts whole days; the caller checks that it lies in the future
};

// "cpl_" + the lease id with '-' as '_' when the id is [a-z0-9-]{1,28}; any
// other id (upper case, other characters, longer, empty) gives "cpl_" + up to
// 19 of its [a-z0-9_] chars (lower-cased) + "_" + 8 hex digits of a hash of the
// whole id, so distinct ids give distinct names. Deterministic; at most 32 chars.
std::string lease_username(std::string_view lease_id);

// 24 chars from a 56-letter alphabet without look-alikes (0/O/o, 1/l/I): about
// 139 bits from libsodium's randombytes.
std::string random_password();

// Creates the account: useradd -m -s /bin/bash -e DAY-AFTER -c kLeaseGecos -U
// (home 0700), CUDA_VISIBLE_DEVICES in ~/.bashrc and ~/.profile, the key in
// ~/.ssh/authorized_keys (0700/0600, owned by the user), then the password via
// chpasswd.
//
// Idempotent, for the nodes of a multi-node lease (one account, the same name,
// key and password on each) and for retries: an existing account of that name
// whose GECOS full name is kLeaseGecos counts as made, and everything after
// useradd is applied to it again: GECOS and expiry (usermod -c -e), home 0700,
// ~/.bashrc and ~/.profile with the CUDA_VISIBLE_DEVICES lines of an earlier
// create replaced (never doubled; the rest of each file kept), authorized_keys
// holding exactly this key (removed when the key is empty: an earlier key no
// longer works), and this password. Its processes and other files are left
// alone (the user may be logged in through another node).
//
// An existing account of that name without the marker (or a group of that
// name without such an account) is a Conflict and is left untouched. A failure
// after a fresh useradd removes the half-made account; a failure while
// re-applying to an existing account leaves that account (and the lease's
// other nodes' sessions) in place, partly re-applied: call again.
// The error says which step failed and how (exit status), not what the node
// printed (the message reaches the leaser): that goes to admin.log and, when
// given, to *node_output (one line, the password redacted; for the supplier).
Result<> create_lease_account(const Target& admin, const LeaseAccount& account, std::string* node_output = nullptr);

// Locks and expires the account, turns its lingering off and ends its logind
// sessions (where loginctl exists), SIGKILLs its processes until none are left
// (pkill -U/-u; zombies, which only their parent can reap, are tolerated),
// then deletes everything its uid owns in /tmp, /var/tmp, /dev/shm, /run/lock
// and /dev/mqueue (at any
// depth, hidden files too, inside others' directories too; symlinks are
// deleted, never followed; other mounts are not entered; a directory of its
// own that still holds another user's files is chowned to root instead), its
// at jobs (the files its uid owns in the at spools: /var/spool/cron/atjobs
// and /var/spool/cron/atspool on Debian, /var/spool/at elsewhere; a host
// without at has none), its crontab, its runtime directory /run/user/UID and
// its SysV IPC objects, then userdel -r -f (deletes the home
// and mail spool; -f because zombies would block userdel). If anything of its
// uid survives in those directories, the removal fails (Unavailable) before
// userdel, the account staying locked: otherwise the files would pass to the
// next account given that uid. Idempotent: an absent account is success.
Result<> remove_lease_account(const Target& admin, std::string_view username);

// Whether the account exists on the host (getent passwd; no root needed).
Result<bool> lease_account_exists(const Target& admin, std::string_view username);

}  // namespace cpshare::ssh
