#include "ssh/provision.hpp"

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "crypto/crypto.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace cpshare::ssh {

namespace {

constexpr std::string_view kPrefix = "cpl_";
constexpr std::size_t kMaxUsername = 32;

// Exit statuses the scripts use for "not a host failure".
constexpr int kExitExists = 65;   // create: an account (or group) of that name exists that cpshare did not make
constexpr int kExitNotOurs = 66;  // remove: the account is not a lease account

// The scripts travel inside single quotes (see remote_command), so they must
// contain none; everything variable arrives as "$1".. or on stdin.
//
// Both take /run/cpshare-provision.lock (flock, where util-linux has it), so
// two calls for the same account on one host, e.g. the two nodes of a lease
// that share their accounts, run one after the other.
//
// Create: $1 user, $2 expiry date (YYYY-MM-DD), $3 GPU list ("2,3" or ""),
// $4 GECOS. stdin: the public key line (may be empty), then "user:password"
// for chpasswd, which is the only reader of the password. Every other command
// reads /dev/null or a pipe so none can swallow it.
//
// An account of that name whose GECOS full name is $4 was made by an earlier
// create: it is kept and everything below useradd is applied to it again.
// Every file in the home is read and written as the account's user
// (setpriv), never as root: the user owns the home and may have put symlinks
// there, which would otherwise lead root's writes anywhere. The lines a
// create put at the top of ~/.bashrc and ~/.profile (the marker comment, the
// export, a blank line) are dropped before the fresh ones go on top.
constexpr std::string_view kCreateScript = R"SH(set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 077
cd / || exit 1
user=$1 expire=$2 gpus=$3 gecos=$4
mark="# Set by cpshare: the GPUs of this lease (advisory: the host does not enforce it)."
created=0
fail() {
  echo "$*" >&2
  if [ "$created" = 1 ]; then userdel -r -f "$user" </dev/null >/dev/null 2>&1; fi
  exit 1
}
without_gpu_lines() {
  s=0
  while IFS= read -r line || [ -n "$line" ]; do
    case $s in
      1) s=0; case $line in "export CUDA_VISIBLE_DEVICES="*) s=2; continue ;; esac ;;
      2) s=0; if [ -z "$line" ]; then continue; fi ;;
    esac
    if [ "$line" = "$mark" ]; then s=1; continue; fi
    printf "%s\n" "$line"
  done
}
IFS= read -r key || fail "no input: expected the public key line and the password"
command -v setpriv >/dev/null 2>&1 || fail "setpriv (util-linux) is needed: the files of the account are written as its user"
if command -v flock >/dev/null 2>&1; then
  command exec 9>>/run/cpshare-provision.lock && flock -w 60 9 || fail "cannot lock /run/cpshare-provision.lock"
fi
if entry=$(getent passwd "$user" </dev/null); then
  comment=$(printf "%s\n" "$entry" | cut -d: -f5)
  if [ "${comment%%,*}" != "$gecos" ]; then
    echo "account $user already exists and cpshare did not create it (its comment is \"$comment\")" >&2
    exit 65
  fi
  usermod -c "$gecos" -e "$expire" "$user" </dev/null || fail "usermod -c -e failed for the existing account $user"
else
  useradd -m -U -s /bin/bash -e "$expire" -c "$gecos" "$user" </dev/null
  rc=$?
  if [ "$rc" -eq 9 ]; then
    echo "account or group $user already exists" >&2
    exit 65
  fi
  [ "$rc" -eq 0 ] || fail "useradd exited with status $rc"
  created=1
fi
home=$(getent passwd "$user" </dev/null | cut -d: -f6)
[ -n "$home" ] && [ -d "$home" ] || fail "$user has no home directory"
uid=$(id -u "$user" </dev/null) && gid=$(id -g "$user" </dev/null) || fail "no uid or primary group for $user"
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@" 9>&-; }
as_user chmod 0700 "$home" </dev/null || fail "cannot chmod $home"
for f in .bashrc .profile; do
  old=
  if [ -e "$home/$f" ] || [ -L "$home/$f" ]; then
    old=$(as_user cat "$home/$f" </dev/null && echo .) || fail "cannot read $home/$f"
    old=${old%.}
  fi
  {
    printf "%s\n" "$mark" "export CUDA_VISIBLE_DEVICES=$gpus" ""
    printf "%s" "$old" | without_gpu_lines
  } </dev/null | as_user tee "$home/$f.cpshare" >/dev/null &&
    as_user chmod 0644 "$home/$f.cpshare" </dev/null && as_user mv -f "$home/$f.cpshare" "$home/$f" </dev/null ||
    fail "cannot write $home/$f"
done
if [ -n "$key" ]; then
  {
    as_user mkdir -p "$home/.ssh" && as_user chmod 0700 "$home/.ssh" &&
      printf "%s\n" "$key" | as_user tee "$home/.ssh/authorized_keys.cpshare" >/dev/null &&
      as_user chmod 0600 "$home/.ssh/authorized_keys.cpshare" &&
      as_user mv -f "$home/.ssh/authorized_keys.cpshare" "$home/.ssh/authorized_keys"
  } </dev/null || fail "cannot install the public key in $home/.ssh/authorized_keys"
else
  as_user rm -f "$home/.ssh/authorized_keys" </dev/null || fail "cannot remove the old $home/.ssh/authorized_keys"
fi
chpasswd || fail "chpasswd failed for $user"
)SH";

// Remove: $1 user, $2 GECOS. Lock and expire first so no new login starts,
// then kill until only zombies are left (a zombie is already dead; only its
// parent can reap it, and a container's PID 1 may never do so). Then every
// file the uid owns in the shared temporary directories and the at spools
// (Debian's atd: /var/spool/cron/atjobs and atspool; others: /var/spool/at),
// at any depth and hidden ones too: find -delete works depth first and never
// follows a symlink (-H only resolves a directory given as a symlink, such as
// an old /dev/shm -> /run/shm), and -xdev keeps it off other mounts. A
// directory of the user's that still holds someone else's files cannot be
// deleted: it goes to root, as the files in it are not the user's to delete.
// Anything of the uid's left after that fails the removal before userdel
// (the account stays locked; a retry tries again), as it would otherwise
// pass to the next account given that uid.
constexpr std::string_view kRemoveScript = R"SH(set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
cd / || exit 1
user=$1 gecos=$2
if command -v flock >/dev/null 2>&1; then
  if ! { command exec 9>>/run/cpshare-provision.lock && flock -w 60 9; }; then
    echo "cannot lock /run/cpshare-provision.lock" >&2
    exit 1
  fi
fi
entry=$(getent passwd "$user")
rc=$?
if [ "$rc" -eq 2 ]; then exit 0; fi
if [ "$rc" -ne 0 ]; then
  echo "getent passwd $user exited with status $rc" >&2
  exit 1
fi
uid=$(printf "%s\n" "$entry" | cut -d: -f3)
comment=$(printf "%s\n" "$entry" | cut -d: -f5)
if [ "${comment%%,*}" != "$gecos" ]; then
  echo "refusing to remove $user: its comment is \"$comment\", not \"$gecos\", so cpshare did not create it" >&2
  exit 66
fi
if ! usermod -L -e 1970-01-02 "$user"; then
  echo "usermod -L -e could not lock $user" >&2
  exit 1
fi
# Lingering (loginctl enable-linger, which users may set for themselves) keeps
# systemd user services running, and starting again, without a login.
if command -v loginctl >/dev/null 2>&1; then
  loginctl disable-linger "$user" >/dev/null 2>&1
  loginctl terminate-user "$user" >/dev/null 2>&1
fi
rm -f "/var/lib/systemd/linger/$user"
n=0
while :; do
  pkill -KILL -U "$uid"
  pkill -KILL -u "$uid"
  alive=$(ps -o pid=,stat= -U "$uid" -u "$uid" | grep -v Z)
  if [ -z "$alive" ]; then break; fi
  n=$((n + 1))
  if [ "$n" -ge 100 ]; then
    echo "processes of $user survive SIGKILL for 10 s (pid stat):" $alive >&2
    exit 1
  fi
  sleep 0.1
done
for d in /tmp /var/tmp /dev/shm /run/lock /dev/mqueue /var/spool/cron/atjobs /var/spool/cron/atspool /var/spool/at; do
  if [ -d "$d" ]; then
    find -H "$d" -xdev -mindepth 1 -uid "$uid" -delete 2>/dev/null
    find -H "$d" -xdev -mindepth 1 -uid "$uid" -type d -exec chown -h 0:0 {} + 2>/dev/null
    left=$(find -H "$d" -xdev -mindepth 1 -uid "$uid" -print 2>/dev/null | head -n 3)
    if [ -n "$left" ]; then
      echo "files of $user survive deletion in $d:" $left >&2
      exit 1
    fi
  fi
done
if command -v crontab >/dev/null 2>&1; then crontab -r -u "$user" >/dev/null 2>&1; fi
# The runtime directory (XDG_RUNTIME_DIR), a tmpfs logind mounts at login: the
# find above stays on its own file system and does not enter it.
if [ -e "/run/user/$uid" ]; then
  umount -l "/run/user/$uid" 2>/dev/null
  rm -rf "/run/user/$uid"
  if [ -e "/run/user/$uid" ]; then
    echo "/run/user/$uid of $user survives removal" >&2
    exit 1
  fi
fi
# SysV IPC objects of the uid (shared memory, message queues, semaphores):
# they outlive their processes, and the next account given the uid would own
# them. /proc/sysvipc columns: the id is the 2nd; the owner uid the 8th (shm,
# msg) or 5th (sem).
for kind in shm:m:8 msg:q:8 sem:s:5; do
  file=/proc/sysvipc/${kind%%:*}
  flag=$(printf "%s" "$kind" | cut -d: -f2)
  col=${kind##*:}
  if [ -r "$file" ]; then
    for id in $(awk -v u="$uid" -v c="$col" "NR > 1 && \$c == u { print \$2 }" "$file"); do
      ipcrm -"$flag" "$id" 2>/dev/null
    done
    if [ -n "$(awk -v u="$uid" -v c="$col" "NR > 1 && \$c == u { print \$2 }" "$file")" ]; then
      echo "SysV IPC objects of $user survive ipcrm in $file" >&2
      exit 1
    fi
  fi
done
# -f: no live process is left, but zombies would make userdel refuse.
userdel -r -f "$user"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 6 ]; then
  echo "userdel -r -f exited with status $rc" >&2
  exit 1
fi
if getent passwd "$user" >/dev/null; then
  echo "$user still exists after userdel" >&2
  exit 1
fi
)SH";

static_assert(kCreateScript.find('\'') == std::string_view::npos);
static_assert(kRemoveScript.find('\'') == std::string_view::npos);
// The scripts compare the GECOS full name, the field up to its first comma.
static_assert(kLeaseGecos.find_first_of("':,\n") == std::string_view::npos);

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// The login shell runs this. Root runs the script directly; anyone else
// through sudo -n ("$@" rather than an unquoted variable, which zsh would not split).
// Each argument is a checked token, so single quotes are enough.
Result<std::string> remote_command(std::string_view script, std::initializer_list<std::string_view> args) {
  std::string cmd = fmt::format(
      "if [ \"$(id -u)\" = 0 ]; then set --; else set -- sudo -n; fi; exec \"$@\" /bin/sh -c '{}' cpshare", script);
  for (std::string_view a : args) {
    if (a.find_first_of("'\n") != std::string_view::npos)
      return fail(ErrorCode::Internal, "provision: an unchecked argument reached the remote command");
    cmd += fmt::format(" '{}'", a);
  }
  return cmd;
}

// The remote stderr for a message: one line, at most 500 bytes, never the password.
std::string remote_stderr(std::string err, std::string_view password) {
  if (!password.empty())
    for (std::size_t at; (at = err.find(password)) != std::string::npos;)
      err.replace(at, password.size(), "[redacted]");
  std::replace(err.begin(), err.end(), '\n', ';');
  const auto first = err.find_first_not_of(" \t\r;");
  if (first == std::string::npos) return "(no error output)";
  err = err.substr(first, err.find_last_not_of(" \t\r;") - first + 1);
  if (err.size() > 500) err = fmt::format("{}...", err.substr(0, 500));
  return err;
}

Error remote_failure(const Target& admin, std::string_view step, const ExecResult& r, std::string_view password) {
  const std::string err = remote_stderr(r.err, password);
  std::string how = r.exit_status < 0 ? std::string("was killed") : fmt::format("exited with status {}", r.exit_status);
  std::string hint;
  if (err.find("sudo:") != std::string::npos)
    hint = fmt::format(" (as {}, who is not root, provisioning needs passwordless sudo: sudo -n /bin/sh)", admin.user);
  return Error{
      ErrorCode::Unavailable, fmt::format("ssh to {}: {} {}: {}{}", endpoint(admin), step, how, err, hint), {}, 0};
}

std::optional<FieldError> check_username(std::string_view name) {
  const bool shape = name.size() > kPrefix.size() && name.size() <= kMaxUsername && name.starts_with(kPrefix) &&
                     std::all_of(name.begin(), name.end(), [](char c) { return lower_alnum(c) || c == '_'; });
  if (shape) return std::nullopt;
  return FieldError{"username", "must be a lease account name from lease_username(): \"cpl_\" then 1-28 of a-z 0-9 _"};
}

std::optional<FieldError> check_password(std::string_view pw) {
  const bool printable = std::all_of(pw.begin(), pw.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (pw.size() >= 20 && pw.size() <= 128 && printable) return std::nullopt;
  // Never echo the password itself.
  return FieldError{"password", "must be 20-128 printable ASCII characters without spaces (use random_password())"};
}

// The key types OpenSSH accepts in authorized_keys without options.
constexpr std::string_view kKeyTypes[] = {
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
};

// One authorized_keys line "TYPE BASE64 [COMMENT]", normalised to single
// spaces between type, blob and comment; empty when there is no key.
Result<std::string> check_public_key(std::string_view line) {
  auto bad = [](std::string msg) { return fail_fields({{"public_key", std::move(msg)}}); };
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = line.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return std::string();
  line = line.substr(first, line.find_last_not_of(kSpace) - first + 1);
  if (line.size() > 16384) return bad("is longer than 16384 characters");
  auto control = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  };
  if (std::any_of(line.begin(), line.end(), control))
    return bad("must be one line (no newlines or control characters)");

  const auto type_end = line.find_first_of(" \t");
  if (type_end == std::string_view::npos)
    return bad("must be \"TYPE BASE64 [COMMENT]\", e.g. \"ssh-ed25519 AAAA... me@laptop\"");
  const std::string_view type = line.substr(0, type_end);
  if (std::find(std::begin(kKeyTypes), std::end(kKeyTypes), type) == std::end(kKeyTypes))
    return bad(
        fmt::format("must start with a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...); "
                    "authorized_keys options such as command= or from= are not accepted"));
  std::string_view rest = line.substr(line.find_first_not_of(" \t", type_end));
  const auto blob_end = std::min(rest.find_first_of(" \t"), rest.size());
  const std::string_view blob = rest.substr(0, blob_end);
  rest = rest.substr(blob_end);
  const auto comment_at = rest.find_first_not_of(" \t");
  const std::string_view comment = comment_at == std::string_view::npos ? std::string_view() : rest.substr(comment_at);

  // The blob starts with its own type name (uint32 length, then the name).
  auto raw = crypto::base64_decode(blob);
  if (!raw) return bad("the key is not valid base64");
  const crypto::Bytes& b = *raw;
  if (b.size() < 4 + type.size() + 16) return bad("the key data is too short to be a public key");
  const std::size_t name_len = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
  if (name_len != type.size() || !std::equal(type.begin(), type.end(), b.begin() + 4))
    return bad(fmt::format("the key data is not a {} key", type));

  if (comment.empty()) return fmt::format("{} {}", type, blob);
  return fmt::format("{} {} {}", type, blob, comment);
}

// "2,3"; empty for no GPU.
Result<std::string> check_gpus(const std::vector<int>& gpus) {
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    if (gpus[i] < 0 || gpus[i] > 255)
      return fail_fields({{"gpu_indices", fmt::format("index {} is not a GPU index from 0 to 255", gpus[i])}});
    if (std::find(gpus.begin(), gpus.begin() + static_cast<std::ptrdiff_t>(i), gpus[i]) !=
        gpus.begin() + static_cast<std::ptrdiff_t>(i))
      return fail_fields({{"gpu_indices", fmt::format("index {} appears twice", gpus[i])}});
  }
  return text::comma_list(gpus);
}

// useradd -e: the account is disabled from 00:00 UTC of this day, so the day
// after expires_at keeps it usable until then.
Result<std::string> expiry_day(std::int64_t expires_at) {
  using namespace std::chrono;
  constexpr std::int64_t kLast = 253402214400;  // 9999-12-30T00:00:00Z: the day after is still 4-digit
  if (expires_at <= 0 || expires_at >= kLast)
    return fail_fields({{"expires_at", "must be unix seconds after 1970 and before the year 9999"}});
  const sys_days day = floor<days>(sys_seconds{seconds{expires_at}}) + days{1};
  const year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

// 64-bit FNV-1a: only to keep names from distinct odd lease ids apart, not a secret.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string lease_username(std::string_view lease_id) {
  const bool plain = !lease_id.empty() && lease_id.size() <= kMaxUsername - kPrefix.size() &&
                     std::all_of(lease_id.begin(), lease_id.end(), [](char c) { return lower_alnum(c) || c == '-'; });
  std::string name(kPrefix);
  if (plain) {
    for (char c : lease_id) name += c == '-' ? '_' : c;
    return name;
  }
  // 4 + 19 + 1 + 8 = 32.
  for (char c : lease_id) {
    if (name.size() == kPrefix.size() + 19) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
    if (lower_alnum(c) || c == '_') name += c;
  }
  name += fmt::format("_{:08x}", fnv1a(lease_id) & 0xffffffffu);
  return name;
}

std::string random_password() {
  static constexpr std::string_view kAlphabet = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  static_assert(kAlphabet.size() == 56);
  return crypto::random_id("", 24, kAlphabet);
}

Result<> create_lease_account(const Target& admin, const LeaseAccount& account, std::string* node_output) {
  std::vector<FieldError> errors;
  if (auto e = check_username(account.username)) errors.push_back(std::move(*e));
  if (auto e = check_password(account.password)) errors.push_back(std::move(*e));
  auto key = check_public_key(account.public_key);
  if (!key) errors.insert(errors.end(), key.error().fields.begin(), key.error().fields.end());
  auto gpus = check_gpus(account.gpu_indices);
  if (!gpus) errors.insert(errors.end(), gpus.error().fields.begin(), gpus.error().fields.end());
  auto day = expiry_day(account.expires_at);
  if (!day) errors.insert(errors.end(), day.error().fields.begin(), day.error().fields.end());
  if (!errors.empty()) return fail(std::move(fail_fields(std::move(errors)).error()).context("create lease account"));

  TRY_ASSIGN(std::string command, remote_command(kCreateScript, {account.username, *day, *gpus, kLeaseGecos}));
  const std::string input = fmt::format("{}\n{}:{}\n", *key, account.username, account.password);
  TRY_ASSIGN(ExecResult r, run(admin, command, input));
  if (r.exit_status == 0) return {};
  // The message reaches the leaser (redeem), who has no business with what
  // the supplier's node printed: that goes to the platform's log only.
  const std::string step = fmt::format("create lease account {}", account.username);
  const Error full = remote_failure(admin, step, r, account.password);
  if (admin.log) admin.log->warn("{}", full.message);
  if (node_output) *node_output = remote_stderr(r.err, account.password);
  if (r.exit_status == kExitExists)
    return fail(ErrorCode::Conflict, fmt::format("ssh to {}: {}: {} already exists and cpshare did not create it",
                                                 endpoint(admin), step, account.username));
  return fail(
      ErrorCode::Unavailable,
      fmt::format("ssh to {}: {} {}", endpoint(admin), step,
                  r.exit_status < 0 ? std::string("was killed") : fmt::format("exited with status {}", r.exit_status)));
}

Result<> remove_lease_account(const Target& admin, std::string_view username) {
  if (auto e = check_username(username))
    return fail(std::move(fail_fields({std::move(*e)}).error()).context("remove lease account"));
  TRY_ASSIGN(std::string command, remote_command(kRemoveScript, {username, kLeaseGecos}));
  TRY_ASSIGN(ExecResult r, run(admin, command));
  const std::string step = fmt::format("remove lease account {}", username);
  if (r.exit_status == kExitNotOurs)
    return fail(ErrorCode::Conflict, fmt::format("ssh to {}: {}: {}", endpoint(admin), step, remote_stderr(r.err, {})));
  if (r.exit_status != 0) return fail(remote_failure(admin, step, r, {}));
  return {};
}

Result<bool> lease_account_exists(const Target& admin, std::string_view username) {
  if (auto e = check_username(username))
    return fail(std::move(fail_fields({std::move(*e)}).error()).context("lease account exists"));
  // getent: 0 found, 2 not found. Its stdout is dropped: the admin's shell
  // start-up files might print too.
  TRY_ASSIGN(ExecResult r, run(admin, fmt::format("getent passwd '{}' >/dev/null", username)));
  if (r.exit_status == 0) return true;
  if (r.exit_status == 2) return false;
  return fail(remote_failure(admin, fmt::format("getent passwd {}", username), r, {}));
}

}  // namespace cpshare::ssh
