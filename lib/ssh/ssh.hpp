// The SSH transport to a supplier's cluster (libssh 0.10): the cluster's
// ed25519 provisioning key, host-key pinning, and running one command as the
// cluster's admin user. Nothing here reads ~/.ssh or /etc/ssh, and no key
// material ever appears in an error message.
//
// Error codes: Conflict = the host key differs from the pin (never retried,
// never authenticated against); Unavailable = the host could not be reached,
// refused the key, or the command could not be run; Internal = the caller
// passed something unusable (bad key text, malformed pin, run without a pin).
//
// What an error says about the connection is the platform's own words, never
// libssh's text or an errno string (issue 12): "ssh to HOST:PORT: connect:
// refused the connection", "...: connect: timed out after 10 s", "...: connect:
// unreachable", "...: connect: the SSH handshake failed", "...: auth as USER
// ...". A supplier who points a cluster at an address learns no more than
// whether an SSH server answered there. The detail goes to Target::log.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cpshare {
class Logger;
}

namespace cpshare::ssh {

struct KeyPair {
  std::string private_openssh;  // OpenSSH private key text, unencrypted (the caller seals it with the KeyRing)
  std::string public_line;      // "ssh-ed25519 AAAA... cpshare-<comment>", one authorized_keys line
};

// A fresh ed25519 key pair. comment: letters, digits and ._@:+- only (it ends
// up in the supplier's authorized_keys), e.g. the cluster id.
Result<KeyPair> generate_ed25519(std::string_view comment);

struct Target {
  std::string host;
  int port = 22;
  std::string user;
  std::string private_openssh;       // KeyPair::private_openssh
  std::string pinned_fingerprint;    // "SHA256:..." as ssh-keygen -lf prints it; empty on first contact
  int timeout_seconds = 10;          // TCP connect, key exchange and authentication
  int command_timeout_seconds = 60;  // from opening the channel to the exit status
  // The IP address to connect to, checked against the platform's networks
  // (NetworkPolicy::resolve_allowed), so that a DNS answer cannot change
  // between the check and the connection; messages still name `host`.
  // Empty: host is resolved here, unchecked (tests, tools).
  std::string connect_address;
  Logger* log = nullptr;  // where a failure's detail (errno, libssh's words) is logged; none if null
};

// "host:port" for messages, "[host]:port" for an IPv6 address.
std::string endpoint(const Target& t);

struct Probe {
  std::string fingerprint;  // "SHA256:<base64 without padding>", as ssh-keygen -lf prints it
  std::string key_type;     // "ssh-ed25519", ...: which of the host's keys the fingerprint is of
  bool pinned_now = false;  // true when the target had no pin (first contact): pin this one
};

// Connects, checks the host key against the pin (if any), authenticates as
// target.user with the provisioning key and checks that the user can
// provision lease accounts: it is root, or `sudo -n true` succeeds
// (Unavailable, saying so, otherwise).
Result<Probe> verify(const Target& target);

struct ExecResult {
  int exit_status = -1;    // -1 when the command died from a signal or sent no status
  std::string out;         // stdout, at most kMaxCapture bytes
  std::string err;         // stderr, at most kMaxCapture bytes
  bool truncated = false;  // out or err hit kMaxCapture (the rest was read and dropped)
};

inline constexpr std::size_t kMaxCapture = 1 << 20;

// Runs `command` (through the user's login shell) with stdin_data on its stdin,
// then EOF. Requires target.pinned_fingerprint: never runs on an unpinned host.
// A non-zero exit status is a result, not an error.
Result<ExecResult> run(const Target& target, std::string_view command, std::string_view stdin_data = {});

}  // namespace cpshare::ssh
