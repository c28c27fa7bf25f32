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
// Only accounts named "cpl_..." (lease_username) whose GECOS field is
// kLeaseGecos are ever removed, so a wrong name can never delete a supplier's
// own user.
//
// GPU isolation is advisory: CUDA_VISIBLE_DEVICES is exported at the top of
// the account's ~/.bashrc (before Debian's "not interactive: return", so it
// also holds for `ssh host CMD`) and ~/.profile. The user can unset or change
// it, and the host does not enforce it (no cgroup device rules); the files stay
// owned by the user (root-owning them would not stop a user who owns the home
// directory from replacing them, and would break tools like `conda init`).
//
// Error codes: ValidationFailed = bad input (fields[] names it; nothing was
// sent to the host); Conflict = the account already exists (create), or exists
// but was not made by cpshare (remove); Unavailable = the host could not be
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

// The GECOS (comment) field of every lease account; remove checks it.
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
// chpasswd. An existing account (or group) of that name is a Conflict and is
// left untouched; a failure after useradd removes the half-made account.
Result<> create_lease_account(const Target& admin, const LeaseAccount& account);

// Locks and expires the account, SIGKILLs its processes until none are left
// (pkill -U/-u; zombies, which only their parent can reap, are tolerated),
// deletes its files in /tmp, /var/tmp and /dev/shm and its crontab, then
// userdel -r -f (deletes the home; -f because zombies would block userdel).
// Idempotent: an absent account is success.
Result<> remove_lease_account(const Target& admin, std::string_view username);

// Whether the account exists on the host (getent passwd; no root needed).
Result<bool> lease_account_exists(const Target& admin, std::string_view username);

}  // namespace cpshare::ssh
