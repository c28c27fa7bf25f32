// Lease accounts (lib/ssh/provision) against a real OpenSSH sshd on 127.0.0.1,
// proven with the real OpenSSH client (and sshpass for password logins). The
// "supplier host" is this machine, so the cases need root: they create and
// delete real accounts named cpl_t<random> (and cpadm<random> for the sudo
// case), which each fixture deletes again in its destructor, whatever happened.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ssh/provision.hpp"
#include "ssh/ssh.hpp"
#include "sshd_support.hpp"
#include "util/log.hpp"

extern char** environ;

namespace fs = std::filesystem;
namespace ssh = cpshare::ssh;
using cpshare::ErrorCode;

namespace {

using namespace sshd_support;

// ---- local commands ----

struct Ran {
  int status = -1;  // exit status; -1 when it did not exit normally
  std::string out;  // stdout and stderr together
};

Ran run_local(const std::string& command) {
  const std::string wrapped = fmt::format("( {} ) 2>&1 </dev/null", command);
  FILE* f = ::popen(wrapped.c_str(), "r");
  REQUIRE(f != nullptr);
  Ran r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) r.out.append(buf, n);
  const int status = ::pclose(f);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// stdout+stderr of a command that must succeed.
std::string shell(const std::string& command) {
  Ran r = run_local(command);
  INFO(command << "\n" << r.out);
  REQUIRE(r.status == 0);
  return r.out;
}

bool local_account_exists(const std::string& name) {
  return run_local(fmt::format("getent passwd '{}'", name)).status == 0;
}

// Field `n` (1-based) of a getent line.
std::string getent_field(const std::string& db, const std::string& name, int n) {
  std::string line = shell(fmt::format("getent {} '{}'", db, name));
  std::istringstream in(line);
  std::string field;
  for (int i = 0; i < n; ++i) std::getline(in, field, ':');
  if (!field.empty() && field.back() == '\n') field.pop_back();
  return field;
}

std::string lower_random(std::size_t n) {
  std::string out;
  while (out.size() < n)
    for (char c : ssh::random_password())
      if (out.size() < n && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) out += c;
  return out;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool is_root() { return ::geteuid() == 0; }

// Creating real accounts needs root; anything else is skipped, not failed.
#define SKIP_UNLESS_ROOT()                                                                     \
  do {                                                                                         \
    if (!is_root()) {                                                                          \
      WARN("skipped: lease accounts are real accounts on this machine; run the test as root"); \
      SUCCEED("skipped: not root");                                                            \
      return;                                                                                  \
    }                                                                                          \
  } while (0)

// A private sshd on 127.0.0.1 that takes the provisioning key for root (from
// DIR/authorized_keys) and the lease users' own keys and passwords; the lease
// user's key pair is DIR/userkey. Every account it names is deleted at the end.
struct ProvisionFixture {
  TempDir dir;
  int port = free_port();
  ssh::KeyPair admin_key;
  std::string fingerprint;
  std::vector<std::string> accounts;  // deleted locally in the destructor
  std::vector<fs::path> sudoers;      // removed in the destructor
  std::vector<fs::path> paths;        // files and directories the test made outside DIR, removed in the destructor
  Sshd sshd{dir.path};                // declared after dir: stopped before the dir is removed

  ProvisionFixture() {
    REQUIRE(log.open_file(dir.path / "provision.log"));
    shell(fmt::format("ssh-keygen -q -t ed25519 -N '' -C cpshare-test-host -f '{}'", (dir.path / "host_key").string()));
    shell(fmt::format("ssh-keygen -q -t ed25519 -N '' -C lease-user@laptop -f '{}'", (dir.path / "userkey").string()));
    auto pair = ssh::generate_ed25519("test-cluster");
    REQUIRE(pair);
    admin_key = *pair;
    write_file(dir.path / "authorized_keys", admin_key.public_line + "\n",
               fs::perms::owner_read | fs::perms::owner_write);
    const std::string d = dir.path.string();
    write_file(dir.path / "sshd_config",
               fmt::format("Port {}\n"
                           "ListenAddress 127.0.0.1\n"
                           "HostKey {}/host_key\n"
                           "AuthorizedKeysFile {}/authorized_keys .ssh/authorized_keys\n"
                           "PidFile {}/sshd.pid\n"
                           "PasswordAuthentication yes\n"
                           "KbdInteractiveAuthentication no\n"
                           "UsePAM no\n"
                           "StrictModes no\n"
                           "PermitRootLogin prohibit-password\n"
                           "LogLevel VERBOSE\n",
                           port, d, d, d),
               fs::perms::owner_read | fs::perms::owner_write);
    std::string why = sshd.start(port);
    if (!why.empty()) FAIL("the test sshd could not start in this environment: " << why);
    auto probe = ssh::verify(target());
    INFO((probe ? "" : probe.error().message));
    REQUIRE(probe);
    fingerprint = probe->fingerprint;
  }

  ~ProvisionFixture() {
    for (const fs::path& p : sudoers) {
      std::error_code ec;
      fs::remove(p, ec);
    }
    for (const fs::path& p : paths) {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
    for (const std::string& name : accounts) {
      const std::string cmd = fmt::format(
          "if getent passwd '{0}' >/dev/null; then pkill -KILL -U '{0}'; pkill -KILL -u '{0}'; sleep 0.2; "
          "userdel -r -f '{0}' >/dev/null 2>&1; fi",
          name);
      if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cleanup of account %s failed\n", name.c_str());
    }
  }
  ProvisionFixture(const ProvisionFixture&) = delete;
  ProvisionFixture& operator=(const ProvisionFixture&) = delete;

  // Where a failure's detail goes (Target::log): what the node printed.
  mutable cpshare::Logger log;
  std::string logged() const { return read_file(dir.path / "provision.log"); }

  ssh::Target target(std::string user = "root") const {
    ssh::Target t;
    t.log = &log;
    t.host = "127.0.0.1";
    t.port = port;
    t.user = std::move(user);
    t.private_openssh = admin_key.private_openssh;
    t.pinned_fingerprint = fingerprint;
    return t;
  }

  // A fresh lease account name, registered for cleanup.
  std::string new_name() {
    std::string name = ssh::lease_username("t" + lower_random(12));
    accounts.push_back(name);
    REQUIRE_FALSE(local_account_exists(name));
    return name;
  }

  ssh::LeaseAccount account(std::vector<int> gpus = {2, 3}) {
    ssh::LeaseAccount a;
    a.username = new_name();
    a.password = ssh::random_password();
    a.public_key = read_file(dir.path / "userkey.pub");  // with its trailing newline
    a.gpu_indices = std::move(gpus);
    a.expires_at = now_unix() + 3 * 86400;
    return a;
  }

  // account(gpus), created on this machine through the sshd.
  ssh::LeaseAccount created(std::vector<int> gpus) {
    ssh::LeaseAccount a = account(std::move(gpus));
    auto r = ssh::create_lease_account(target(), a);
    INFO((r ? "" : r.error().message));
    REQUIRE(r);
    return a;
  }

  std::string client_options() const {
    return fmt::format(
        "-F /dev/null -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "
        "-o LogLevel=ERROR",
        port);
  }

  // The real ssh client with the lease user's key (DIR/userkey, or another
  // key pair in DIR). remote: no single quotes.
  Ran key_login(const std::string& user, const std::string& remote, const std::string& key = "userkey") const {
    return run_local(fmt::format(
        "ssh {} -i '{}' -o BatchMode=yes -o IdentitiesOnly=yes -o PasswordAuthentication=no {}@127.0.0.1 '{}'",
        client_options(), (dir.path / key).string(), user, remote));
  }

  // The real ssh client with a password, typed by sshpass (from $SSHPASS).
  Ran password_login(const std::string& user, const std::string& password, const std::string& remote) const {
    ::setenv("SSHPASS", password.c_str(), 1);
    Ran r =
        run_local(fmt::format("sshpass -e ssh {} -o PubkeyAuthentication=no -o PreferredAuthentications=password "
                              "-o NumberOfPasswordPrompts=1 {}@127.0.0.1 '{}'",
                              client_options(), user, remote));
    ::unsetenv("SSHPASS");
    return r;
  }
};

// A pid is gone or a zombie (dead; only its parent can reap it, and this
// machine's PID 1 may never do so).
bool process_dead(const std::string& pid) {
  Ran r = run_local(fmt::format("ps -o stat= -p {}", pid));
  return r.status != 0 || r.out.find('Z') != std::string::npos;
}

const std::string kEd25519Blob = "AAAAC3NzaC1lZDI1NTE5AAAAIGJ2dGVzdGtleWJ5dGVzMDEyMzQ1Njc4OWFiY2RlZmdo";

}  // namespace

TEST_CASE("lease_username is deterministic, a valid lease account name, and keeps distinct ids apart", "[R-LEASE-5]") {
  CHECK(ssh::lease_username("cp-7k2m9x4qvd") == "cpl_cp_7k2m9x4qvd");
  CHECK(ssh::lease_username("t0abc") == "cpl_t0abc");

  const std::regex unix_name("^[a-z][a-z0-9_]{2,31}$");
  const std::regex lease_name("^cpl_[a-z0-9_]{1,28}$");
  const std::vector<std::string> ids = {
      "",
      "a",
      "A",
      "ab",
      "AB",
      "Ab-1",
      "ab_1",
      "ab-1",
      "x y;rm -rf /",
      "$(id)",
      "名字",
      "l-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      "abcdefghijklmnopqrstuvwxyz01",   // 28: the longest plain id
      "abcdefghijklmnopqrstuvwxyz012",  // 29: hashed
  };
  std::set<std::string> names;
  for (const std::string& id : ids) {
    const std::string name = ssh::lease_username(id);
    INFO(id << " -> " << name);
    CHECK(name.size() <= 32);
    CHECK(std::regex_match(name, unix_name));
    CHECK(std::regex_match(name, lease_name));
    CHECK(ssh::lease_username(id) == name);
    names.insert(name);
  }
  CHECK(names.size() == ids.size());
  CHECK(ssh::lease_username("abcdefghijklmnopqrstuvwxyz01") == "cpl_abcdefghijklmnopqrstuvwxyz01");
}

TEST_CASE("random_password gives 24 chars of a look-alike-free alphabet, different each time", "[R-LEASE-5]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string pw = ssh::random_password();
    CHECK(pw.size() == 24);
    CHECK(pw.find_first_not_of("23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ") == std::string::npos);
    seen.insert(pw);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("create: the lease user logs in with its key and its password and sees its GPUs", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const ssh::LeaseAccount a = f.account({2, 3});
  auto created = ssh::create_lease_account(f.target(), a);
  INFO((created ? "" : created.error().message));
  REQUIRE(created);

  auto exists = ssh::lease_account_exists(f.target(), a.username);
  REQUIRE(exists);
  CHECK(*exists);

  Ran by_key = f.key_login(a.username, "echo $CUDA_VISIBLE_DEVICES; id -un");
  INFO(by_key.out << read_file(f.dir.path / "sshd.log"));
  REQUIRE(by_key.status == 0);
  CHECK(by_key.out == fmt::format("2,3\n{}\n", a.username));

  Ran by_password = f.password_login(a.username, a.password, "echo $CUDA_VISIBLE_DEVICES");
  INFO(by_password.out);
  CHECK(by_password.status == 0);
  CHECK(by_password.out == "2,3\n");
  CHECK(f.password_login(a.username, "not-" + a.password, "true").status != 0);

  // A login shell (what an interactive login runs) gets it from ~/.profile too.
  Ran login_shell = f.key_login(a.username,
                                "env -u CUDA_VISIBLE_DEVICES bash --noprofile --norc -c \"bash -l -c \\\"echo "
                                "\\\\\\$CUDA_VISIBLE_DEVICES\\\"\"");
  INFO(login_shell.out);
  CHECK(login_shell.out == "2,3\n");

  // Private home; key files as sshd's StrictModes wants them; the rc files at the top.
  const fs::path home = getent_field("passwd", a.username, 6);
  CHECK(home == fs::path("/home") / a.username);
  CHECK(getent_field("passwd", a.username, 5) == ssh::kLeaseGecos);
  CHECK(getent_field("passwd", a.username, 7) == "/bin/bash");
  const std::string uid = getent_field("passwd", a.username, 3);
  CHECK(shell(fmt::format("stat -c '%a %u' '{}'", home.string())) == fmt::format("700 {}\n", uid));
  CHECK(shell(fmt::format("stat -c '%a %u' '{}/.ssh'", home.string())) == fmt::format("700 {}\n", uid));
  CHECK(shell(fmt::format("stat -c '%a %u' '{}/.ssh/authorized_keys'", home.string())) == fmt::format("600 {}\n", uid));
  CHECK(shell(fmt::format("stat -c '%a %u' '{}/.bashrc'", home.string())) == fmt::format("644 {}\n", uid));
  CHECK(read_file(home / ".ssh/authorized_keys") == a.public_key);  // one line, trailing newline
  for (const char* rc : {".bashrc", ".profile"}) {
    const std::string text = read_file(home / rc);
    INFO(rc << ":\n" << text);
    CHECK(text.starts_with("# Set by cpshare"));
    CHECK(text.find("\nexport CUDA_VISIBLE_DEVICES=2,3\n") == text.find('\n'));  // the second line
  }
  // Debian's "If not running interactively, don't do anything" comes after the export.
  const std::string bashrc = read_file(home / ".bashrc");
  CHECK(bashrc.find("export CUDA_VISIBLE_DEVICES") < bashrc.find("*) return;;"));
}

TEST_CASE("create sets the account to expire at the start of the day after expires_at (UTC)", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  ssh::LeaseAccount a = f.account({0});
  const std::int64_t midnight = (now_unix() / 86400 + 10) * 86400;  // 00:00 UTC, ten days ahead
  a.expires_at = midnight + 23 * 3600 + 59 * 60;                    // 23:59 that day
  auto created = ssh::create_lease_account(f.target(), a);
  INFO((created ? "" : created.error().message));
  REQUIRE(created);
  // /etc/shadow field 8: days since 1970-01-01 from which the account is expired.
  CHECK(getent_field("shadow", a.username, 8) == std::to_string(midnight / 86400 + 1));
  CHECK_THAT(shell(fmt::format("chage -l '{}'", a.username)), !Catch::Contains("Account expires\t\t\t\t\t: never"));
  CHECK(f.key_login(a.username, "echo $CUDA_VISIBLE_DEVICES").out == "0\n");
}

TEST_CASE("remove kills the user's processes and deletes the account, its home and its /tmp files; login is refused",
          "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const ssh::LeaseAccount a = f.account({1});
  auto created = ssh::create_lease_account(f.target(), a);
  INFO((created ? "" : created.error().message));
  REQUIRE(created);
  const fs::path home = getent_field("passwd", a.username, 6);
  const fs::path left_file = fs::path("/tmp") / fmt::format("{}.left", a.username);

  // The user leaves a process running and a file in /tmp, and logs out.
  Ran left = f.key_login(
      a.username, fmt::format("nohup sleep 1000 </dev/null >/dev/null 2>&1 & echo $!; touch {}", left_file.string()));
  INFO(left.out);
  REQUIRE(left.status == 0);
  const std::string pid = left.out.substr(0, left.out.find('\n'));
  REQUIRE_FALSE(pid.empty());
  REQUIRE_FALSE(process_dead(pid));
  REQUIRE(fs::exists(left_file));

  auto removed = ssh::remove_lease_account(f.target(), a.username);
  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);

  CHECK(process_dead(pid));
  CHECK_FALSE(local_account_exists(a.username));
  CHECK_FALSE(fs::exists(home));
  CHECK_FALSE(fs::exists(left_file));
  auto exists = ssh::lease_account_exists(f.target(), a.username);
  REQUIRE(exists);
  CHECK_FALSE(*exists);

  Ran by_key = f.key_login(a.username, "echo in");
  CHECK(by_key.status != 0);
  CHECK_THAT(by_key.out, !Catch::Contains("in\n"));
  Ran by_password = f.password_login(a.username, a.password, "echo in");
  CHECK(by_password.status != 0);
  CHECK_THAT(by_password.out, !Catch::Contains("in\n"));

  // Removing an absent account succeeds (the lease end may be retried).
  auto again = ssh::remove_lease_account(f.target(), a.username);
  INFO((again ? "" : again.error().message));
  CHECK(again);
}

// Occurrences of `part` in `text`.
std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// The CUDA_VISIBLE_DEVICES lines are at the top of ~/.bashrc and ~/.profile, once.
void check_gpu_lines_once(const fs::path& home, const std::string& gpus) {
  for (const char* rc : {".bashrc", ".profile"}) {
    const std::string text = read_file(home / rc);
    INFO(rc << ":\n" << text);
    CHECK(text.starts_with("# Set by cpshare"));
    CHECK(text.find(fmt::format("\nexport CUDA_VISIBLE_DEVICES={}\n", gpus)) == text.find('\n'));
    CHECK(count_of(text, "# Set by cpshare") == 1);
    CHECK(count_of(text, "CUDA_VISIBLE_DEVICES") == 1);
  }
}

TEST_CASE("create of an existing lease account applies it again: the last create's password, key and GPUs work",
          "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const ssh::LeaseAccount a = f.created({0});
  const fs::path home = getent_field("passwd", a.username, 6);
  const std::string uid = getent_field("passwd", a.username, 3);
  // The user adds a line of their own and a file; with chfn they may change
  // the room and phone parts of the comment (CHFN_RESTRICT rwh), not the name.
  REQUIRE(f.key_login(a.username, "echo \"alias ll=ls\" >> ~/.bashrc && echo kept > ~/work.txt").status == 0);
  shell(fmt::format("chfn -r 7 '{}'", a.username));
  shell(fmt::format("ssh-keygen -q -t ed25519 -N '' -C second@laptop -f '{}'", (f.dir.path / "userkey2").string()));

  ssh::LeaseAccount b = a;
  b.password = ssh::random_password();
  b.public_key = read_file(f.dir.path / "userkey2.pub");
  b.gpu_indices = {5, 6};
  b.expires_at = a.expires_at + 5 * 86400;
  auto twice = ssh::create_lease_account(f.target(), b);
  INFO((twice ? "" : twice.error().message));
  REQUIRE(twice);

  CHECK(shell(fmt::format("getent passwd | grep -c '^{}:'", a.username)) == "1\n");
  CHECK(getent_field("passwd", a.username, 3) == uid);
  CHECK(getent_field("passwd", a.username, 5) == ssh::kLeaseGecos);
  CHECK(getent_field("shadow", a.username, 8) == std::to_string(b.expires_at / 86400 + 1));
  CHECK(read_file(home / ".ssh/authorized_keys") == b.public_key);  // this key, once
  CHECK(shell(fmt::format("stat -c '%a %u' '{}/.ssh/authorized_keys'", home.string())) == fmt::format("600 {}\n", uid));
  CHECK(shell(fmt::format("stat -c '%a %u' '{}/.bashrc'", home.string())) == fmt::format("644 {}\n", uid));
  check_gpu_lines_once(home, "5,6");
  CHECK(count_of(read_file(home / ".bashrc"), "alias ll=ls\n") == 1);
  CHECK(read_file(home / "work.txt") == "kept\n");

  CHECK(f.password_login(a.username, b.password, "echo $CUDA_VISIBLE_DEVICES").out == "5,6\n");
  CHECK(f.password_login(a.username, a.password, "true").status != 0);
  CHECK(f.key_login(a.username, "echo $CUDA_VISIBLE_DEVICES", "userkey2").out == "5,6\n");
  CHECK(f.key_login(a.username, "true").status != 0);

  // Again without a key: no key works any more; the password does.
  ssh::LeaseAccount c = b;
  c.public_key.clear();
  c.gpu_indices = {};
  REQUIRE(ssh::create_lease_account(f.target(), c));
  CHECK_FALSE(fs::exists(home / ".ssh/authorized_keys"));
  CHECK(f.key_login(a.username, "true", "userkey2").status != 0);
  CHECK(f.password_login(a.username, c.password, "echo \"[$CUDA_VISIBLE_DEVICES]\"").out == "[]\n");
  check_gpu_lines_once(home, "");
}

TEST_CASE("the nodes of a lease that share their accounts may create the same account at once", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  // Two private sshds on this machine stand for two nodes of one lease; each
  // gets the create three times at once (a retry racing the first try).
  ProvisionFixture node1;
  ProvisionFixture node2;
  for (int round = 0; round < 2; ++round) {
    const ssh::LeaseAccount a = node1.account({1, 2});
    // In the first round the test holds the host's provisioning lock for a
    // while: the creates wait for it, then run one after the other.
    int lock = -1;
    if (round == 0) {
      lock = ::open("/run/cpshare-provision.lock", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      REQUIRE(lock >= 0);
      REQUIRE(::flock(lock, LOCK_EX) == 0);
    }
    std::vector<cpshare::Result<>> results(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i)
      threads.emplace_back([&, i] { results[i] = ssh::create_lease_account((i % 2 ? node2 : node1).target(), a); });
    if (lock >= 0) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      CHECK_FALSE(local_account_exists(a.username));
      ::close(lock);
    }
    for (std::thread& t : threads) t.join();
    for (const auto& r : results) {
      INFO((r ? "" : r.error().message));
      CHECK(r);
    }
    const fs::path home = getent_field("passwd", a.username, 6);
    CHECK(shell(fmt::format("getent passwd | grep -c '^{}:'", a.username)) == "1\n");
    CHECK(read_file(home / ".ssh/authorized_keys") == a.public_key);
    check_gpu_lines_once(home, "1,2");
    CHECK(node2.password_login(a.username, a.password, "echo $CUDA_VISIBLE_DEVICES").out == "1,2\n");
    CHECK(node1.key_login(a.username, "id -un").out == a.username + "\n");
  }
}

TEST_CASE("create of an account of that name that cpshare did not make is a Conflict and leaves it as it was",
          "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const std::string name = f.new_name();
  shell(fmt::format("useradd -m -c 'someone else' -s /bin/bash '{}'", name));
  auto state = [&] {
    return shell(
        fmt::format("getent passwd '{0}'; getent shadow '{0}'; cd /home/{0} && ls -la --time-style=+%s && "
                    "cat .bashrc .profile",
                    name));
  };
  const std::string before = state();

  ssh::LeaseAccount a = f.account({0});
  a.username = name;
  auto created = ssh::create_lease_account(f.target(), a);
  REQUIRE_FALSE(created);
  CHECK(created.error().code == ErrorCode::Conflict);
  CHECK_THAT(created.error().message, Catch::Contains(name + " already exists and cpshare did not create it"));
  CHECK_THAT(created.error().message, !Catch::Contains(a.password));
  CHECK(state() == before);
  CHECK(f.password_login(name, a.password, "true").status != 0);
}

TEST_CASE("re-applying to an account whose user left symlinks in the home never writes or reads through them as root",
          "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const ssh::LeaseAccount a = f.created({0});
  const fs::path home = getent_field("passwd", a.username, 6);
  // A root-owned file the user may read but not write.
  const fs::path victim = fs::path("/tmp") / (a.username + ".victim");
  f.paths.push_back(victim);
  write_file(victim, "root's\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  ssh::LeaseAccount b = a;
  b.password = ssh::random_password();

  // The temporary file of the re-apply, pointing at root's file: refused, nothing written.
  REQUIRE(f.key_login(a.username, fmt::format("ln -s {} ~/.bashrc.cpshare", victim.string())).status == 0);
  auto r = ssh::create_lease_account(f.target(), b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Unavailable);
  // What the node printed is logged; the leaser is told the step failed, not the node's words.
  CHECK_THAT(f.logged(), Catch::Contains("cannot write"));
  CHECK_THAT(r.error().message, Catch::EndsWith("exited with status 1"));
  CHECK_THAT(r.error().message, !Catch::Contains("cannot write"));
  CHECK(read_file(victim) == "root's\n");
  // A failure while re-applying leaves the account (the lease's other nodes use it).
  CHECK(local_account_exists(a.username));
  CHECK(f.password_login(a.username, a.password, "true").status == 0);

  // ~/.profile pointing at /etc/shadow: not read into the user's file.
  REQUIRE(f.key_login(a.username, "rm ~/.bashrc.cpshare && ln -sf /etc/shadow ~/.profile").status == 0);
  r = ssh::create_lease_account(f.target(), b);
  REQUIRE_FALSE(r);
  CHECK_THAT(f.logged(), Catch::Contains("cannot read"));
  CHECK(fs::is_symlink(home / ".profile"));
  CHECK(shell(fmt::format("grep -rl '^root:' '{}' || true", home.string())).empty());

  // authorized_keys pointing at root's file: replaced by the user's own file, root's file untouched.
  REQUIRE(f.key_login(a.username, fmt::format("rm ~/.profile && ln -sf {} ~/.ssh/authorized_keys", victim.string()))
              .status == 0);
  r = ssh::create_lease_account(f.target(), b);
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  CHECK(read_file(victim) == "root's\n");
  CHECK_FALSE(fs::is_symlink(home / ".ssh/authorized_keys"));
  CHECK(read_file(home / ".ssh/authorized_keys") == a.public_key);
  CHECK(f.password_login(a.username, b.password, "echo $CUDA_VISIBLE_DEVICES").out == "0\n");
}

TEST_CASE(
    "remove leaves nothing of the user's behind: processes, files at any depth in /tmp, /var/tmp, /dev/shm, at jobs",
    "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const ssh::LeaseAccount a = f.created({1});
  const std::string& u = a.username;
  const std::string uid = getent_field("passwd", u, 3);
  // A shared directory that is not the user's (as /tmp is not).
  const fs::path shared = fs::path("/tmp") / (u + ".shared");
  const fs::path mine = fs::path("/tmp") / (u + ".d");
  for (const std::string& p : {shared.string(), mine.string(), "/tmp/." + u, "/tmp/" + u + ".link",
                               "/var/tmp/" + u + ".vt", "/dev/shm/" + u + ".d", "/tmp/" + u + "\nnl"})
    f.paths.push_back(p);
  fs::create_directory(shared);
  fs::permissions(shared, fs::perms::all | fs::perms::sticky_bit);

  const std::string plant = fmt::format(
      "set -e; mkdir -p {0}/a/.b && touch {0}/a/.b/.hidden {0}/f && chmod 0777 {0}; touch /tmp/.{1} "
      "\"$(printf \"/tmp/{1}\\nnl\")\"; ln -s /etc/passwd /tmp/{1}.link; touch {2}/mine; mkdir {2}/mydir; "
      "touch {2}/mydir/x; echo x > /var/tmp/{1}.vt; mkdir /dev/shm/{1}.d; touch /dev/shm/{1}.d/.x; "
      "nohup sleep 1000 </dev/null >/dev/null 2>&1 & echo $!; setsid sleep 1001 </dev/null >/dev/null 2>&1 &",
      mine.string(), u, shared.string());
  Ran planted = f.key_login(u, plant);
  INFO(planted.out);
  REQUIRE(planted.status == 0);
  const std::string pid = planted.out.substr(0, planted.out.find('\n'));
  REQUIRE_FALSE(process_dead(pid));
  // An at job, where at is installed (scripts/deps.sh installs it; nothing is installed here).
  bool have_at = run_local("command -v at").status == 0;
  if (!have_at) {
    WARN("at jobs not checked: at is not installed (scripts/deps.sh installs it)");
  } else {
    Ran queued = f.key_login(u, "echo true | at now + 2 hours");
    if (queued.status != 0) WARN("at jobs not checked: at could not queue a job: " << queued.out);
    have_at = queued.status == 0;
  }
  // Someone else's file inside the user's directory.
  write_file(mine / "root-file", "root's\n", fs::perms::owner_read | fs::perms::owner_write);

  const std::string owned = fmt::format(
      "find -H /tmp /var/tmp /dev/shm /var/spool/cron/atjobs /var/spool/cron/atspool /var/spool/at -xdev "
      "-uid {} 2>/dev/null | sort",
      uid);
  const std::string before = run_local(owned).out;
  INFO("owned before:\n" << before);
  CHECK(count_of(before, "\n") >= 13);
  if (have_at) CHECK_THAT(shell("atq"), Catch::Contains(u));
  // With chfn the user may have changed the room part of the comment: still theirs to remove.
  shell(fmt::format("chfn -r 7 '{}'", u));

  auto removed = ssh::remove_lease_account(f.target(), u);
  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);

  CHECK(process_dead(pid));
  CHECK(run_local(fmt::format("ps -o stat= -U {} -u {} | grep -vc Z", uid, uid)).out == "0\n");  // zombies are dead
  CHECK_FALSE(local_account_exists(u));
  CHECK(run_local(owned).out.empty());
  if (have_at) CHECK_THAT(run_local("atq").out, !Catch::Contains(u));
  CHECK_FALSE(fs::exists(mine / "a"));
  CHECK_FALSE(fs::exists(mine / "f"));
  CHECK_FALSE(fs::exists("/tmp/." + u));
  CHECK_FALSE(fs::exists("/tmp/" + u + "\nnl"));
  CHECK_FALSE(fs::is_symlink("/tmp/" + u + ".link"));
  CHECK(fs::exists("/etc/passwd"));
  CHECK_FALSE(fs::exists("/var/tmp/" + u + ".vt"));
  CHECK_FALSE(fs::exists("/dev/shm/" + u + ".d"));
  CHECK(fs::is_empty(shared));
  // The user's directory that holds root's file is root's now, with only that file in it.
  CHECK(shell(fmt::format("stat -c %u '{}'", mine.string())) == "0\n");
  CHECK(read_file(mine / "root-file") == "root's\n");
  CHECK(std::distance(fs::directory_iterator(mine), fs::directory_iterator()) == 1);
}

TEST_CASE("remove refuses an account that cpshare did not create", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const std::string name = f.new_name();
  shell(fmt::format("useradd -M -c 'a supplier user' -s /bin/bash '{}'", name));

  auto removed = ssh::remove_lease_account(f.target(), name);
  REQUIRE_FALSE(removed);
  CHECK(removed.error().code == ErrorCode::Conflict);
  CHECK_THAT(removed.error().message, Catch::Contains("cpshare did not create it"));
  CHECK(local_account_exists(name));
}

TEST_CASE("invalid input is ValidationFailed and creates nothing", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  ProvisionFixture f;
  const std::string key = read_file(f.dir.path / "userkey.pub");
  const std::string blob = key.substr(key.find(' ') + 1, key.rfind(' ') - key.find(' ') - 1);

  auto expect_invalid = [&](const ssh::LeaseAccount& a, const std::string& field) {
    auto r = ssh::create_lease_account(f.target(), a);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    REQUIRE_FALSE(r.error().fields.empty());
    CHECK(r.error().fields.front().field == field);
    CHECK_THAT(r.error().message, !Catch::Contains(a.password));
    CHECK_FALSE(local_account_exists(a.username));
  };

  for (std::string bad : {"root", "cpl_", "Cpl_x", "cpl_A", "cpl_x;id", "cpl_x y", "cpl_x\n", "cpl-x",
                          "cpl_abcdefghijklmnopqrstuvwxyz0123", "daemon"}) {
    INFO("username " << bad);
    ssh::LeaseAccount a = f.account();
    a.username = bad;
    auto r = ssh::create_lease_account(f.target(), a);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ValidationFailed);
    auto removed = ssh::remove_lease_account(f.target(), bad);
    REQUIRE_FALSE(removed);
    CHECK(removed.error().code == ErrorCode::ValidationFailed);
    auto exists = ssh::lease_account_exists(f.target(), bad);
    REQUIRE_FALSE(exists);
    CHECK(exists.error().code == ErrorCode::ValidationFailed);
  }
  CHECK(local_account_exists("root"));
  CHECK(local_account_exists("daemon"));

  for (std::string bad : {
           fmt::format("ssh-ed25519 {} a\nssh-ed25519 {} b", blob, blob),  // a second key line
           fmt::format("ssh-ed25519 {}\rcommand=\"id\"", blob),
           fmt::format("command=\"/bin/sh\" ssh-ed25519 {}", blob),  // options
           fmt::format("no-pty ssh-ed25519 {}", blob),
           fmt::format("ssh-rsa {}", blob),  // the blob names another type
           std::string("ssh-ed25519 not*base64"),
           std::string("ssh-ed25519"),
           fmt::format("ssh-dss {}", blob),
       }) {
    INFO("key " << bad);
    ssh::LeaseAccount a = f.account();
    a.public_key = bad;
    expect_invalid(a, "public_key");
  }
  for (std::string bad : {std::string("short"), std::string("twenty chars with spaces"),
                          std::string("abcdefghijklmnopqrst\nroot:x"), std::string(200, 'a')}) {
    ssh::LeaseAccount a = f.account();
    a.password = bad;
    expect_invalid(a, "password");
  }
  for (std::vector<int> bad : {std::vector<int>{-1}, std::vector<int>{256}, std::vector<int>{1, 2, 1}}) {
    ssh::LeaseAccount a = f.account();
    a.gpu_indices = bad;
    expect_invalid(a, "gpu_indices");
  }
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-5}, std::int64_t{300000000000}}) {
    ssh::LeaseAccount a = f.account();
    a.expires_at = bad;
    expect_invalid(a, "expires_at");
  }

  // Without a key (it is optional), and with no GPU: created, password only.
  ssh::LeaseAccount plain = f.account({});
  plain.public_key.clear();
  auto created = ssh::create_lease_account(f.target(), plain);
  INFO((created ? "" : created.error().message));
  REQUIRE(created);
  Ran login = f.password_login(plain.username, plain.password, "echo \"[$CUDA_VISIBLE_DEVICES]\"; ls -a ~/.ssh");
  CHECK(login.out.starts_with("[]\n"));
  CHECK_THAT(login.out, Catch::Contains("No such file"));
}

TEST_CASE("an unreachable host is Unavailable", "[R-LEASE-5]") {
  ssh::Target t;
  t.host = "127.0.0.1";
  t.port = free_port();
  t.user = "root";
  auto pair = ssh::generate_ed25519("c1");
  REQUIRE(pair);
  t.private_openssh = pair->private_openssh;
  t.pinned_fingerprint = "SHA256:" + std::string(43, 'A');

  ssh::LeaseAccount a;
  a.username = ssh::lease_username("unreachable");
  a.password = ssh::random_password();
  a.gpu_indices = {0};
  a.expires_at = now_unix() + 86400;
  auto created = ssh::create_lease_account(t, a);
  REQUIRE_FALSE(created);
  CHECK(created.error().code == ErrorCode::Unavailable);
  CHECK_THAT(created.error().message, Catch::StartsWith(fmt::format("ssh to 127.0.0.1:{}: connect", t.port)));
  CHECK_THAT(created.error().message, !Catch::Contains(a.password));

  auto removed = ssh::remove_lease_account(t, a.username);
  REQUIRE_FALSE(removed);
  CHECK(removed.error().code == ErrorCode::Unavailable);
  auto exists = ssh::lease_account_exists(t, a.username);
  REQUIRE_FALSE(exists);
  CHECK(exists.error().code == ErrorCode::Unavailable);
}

TEST_CASE("a non-root admin provisions through sudo -n; without sudo rights it is Unavailable", "[R-LEASE-5]") {
  SKIP_UNLESS_ROOT();
  if (::access("/usr/bin/sudo", X_OK) != 0) {
    WARN("skipped: sudo is not installed (apt-get install sudo)");
    SUCCEED("skipped: no sudo");
    return;
  }
  ProvisionFixture f;
  // The cluster's admin: a plain user whose ~/.ssh/authorized_keys has the provisioning key.
  const std::string admin = "cpadm" + lower_random(8);
  f.accounts.push_back(admin);
  shell(
      fmt::format("useradd -m -s /bin/bash '{0}' && usermod -p '*' '{0}' && install -d -m 700 -o '{0}' -g '{0}' "
                  "/home/{0}/.ssh && printf '%s\\n' '{1}' > /home/{0}/.ssh/authorized_keys && "
                  "chown '{0}:{0}' /home/{0}/.ssh/authorized_keys && chmod 600 /home/{0}/.ssh/authorized_keys",
                  admin, f.admin_key.public_line));
  const ssh::Target t = f.target(admin);

  auto exists = ssh::lease_account_exists(t, ssh::lease_username("nobody-here"));  // getent needs no root
  INFO((exists ? "" : exists.error().message));
  REQUIRE(exists);
  CHECK_FALSE(*exists);

  const ssh::LeaseAccount a = f.account({4, 5});
  auto refused = ssh::create_lease_account(t, a);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::Unavailable);
  // The hint is for the supplier and the admin (the log); the leaser reads that the step failed.
  CHECK_THAT(f.logged(), Catch::Contains("sudo") && Catch::Contains("passwordless sudo"));
  CHECK_THAT(refused.error().message, Catch::Contains("exited with status"));
  CHECK_THAT(refused.error().message, !Catch::Contains(a.password));
  CHECK_FALSE(local_account_exists(a.username));

  const fs::path rule = fmt::format("/etc/sudoers.d/cpshare-test-{}", admin);
  f.sudoers.push_back(rule);
  write_file(rule, fmt::format("{} ALL=(root) NOPASSWD: /bin/sh\n", admin),
             fs::perms::owner_read | fs::perms::group_read);

  auto created = ssh::create_lease_account(t, a);
  INFO((created ? "" : created.error().message));
  REQUIRE(created);
  CHECK(f.key_login(a.username, "echo $CUDA_VISIBLE_DEVICES").out == "4,5\n");
  CHECK(f.password_login(a.username, a.password, "id -un").out == a.username + "\n");

  auto removed = ssh::remove_lease_account(t, a.username);
  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);
  CHECK_FALSE(local_account_exists(a.username));
}
