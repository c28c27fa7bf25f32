#include "server/daemon.hpp"

#include <csignal>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crypto/crypto.hpp"
#include "mail/mailer.hpp"
#include "server/client_address.hpp"
#include "server/http_server.hpp"
#include "server/metrics_listener.hpp"
#include "service/accounts.hpp"
#include "service/catalog.hpp"
#include "ssh/supplier_host.hpp"
#include "store/store.hpp"
#include "util/memory.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace cpshare {

namespace {

struct Options {
  std::string data_dir;
  std::string listen = "127.0.0.1:7878";
  std::string tls_cert, tls_key;
  std::string smtp_url;
  std::string mail_from = "cpshare@localhost";
  std::string log_file;
  std::string public_url;
  bool allow_insecure = false;
  std::int64_t session_idle_timeout = 7 * 86400;
  std::int64_t session_lifetime = 30 * 86400;
  int threads = 64;
  std::vector<std::string> trusted_proxies;
  std::string supplier_networks;  // CIDR[,CIDR...]; "" = the default policy (ssh/networks.hpp)
  int max_connections_per_address = 32;
  std::int64_t revoke_retry = 30;
  int metrics_raw_days = 7;
  int metrics_rollup_days = 90;
  std::string metrics_listen;  // HOST:PORT (loopback) for GET /metrics without a token; "" = none
  std::string agent_timeout = "60s";
  std::string reliability_every = "60s";
  std::string billing_timezone{billing::Calendar::kDefaultZone};
  // admin create
  std::string admin_username, admin_email;
  bool admin_password_stdin = false;
};

Result<std::pair<std::string, int>> split_listen(const std::string& listen, const char* flag = "--listen",
                                                 const char* example = "127.0.0.1:7878") {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return fail_fields({{flag, fmt::format("must be HOST:PORT, e.g. {}", example)}});
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (const auto port = text::parse_int<int>(std::string_view(listen).substr(colon + 1));
      port && *port >= 0 && *port <= 65535)
    return std::pair{host, *port};
  return fail_fields({{flag, "the port must be a number from 0 to 65535"}});
}

bool is_loopback(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

// The data directory: created 0700 with outbox/; the key, the database.
Result<> prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / "outbox", ec);
  if (ec)
    return fail(ErrorCode::Internal, fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
  ::chmod(dir.c_str(), 0700);
  ::chmod((dir / "outbox").c_str(), 0700);
  return {};
}

// One daemon per data directory: an exclusive flock on DATA_DIR/cpshared.lock,
// held (fd open, O_CLOEXEC) for the daemon's life; the file holds its PID. The
// lock is on the file, not the path, so the directory reached through a
// symlink or a relative path is the same directory. The kernel drops it when
// the process ends, however it ends: a file left by SIGKILL blocks nothing.
// The file is never removed (removing it would let two daemons hold locks on
// two different files). `cpshared admin` does not take it.
class DataDirLock {
 public:
  static Result<DataDirLock> acquire(const fs::path& dir) {
    const fs::path path = dir / "cpshared.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
      return fail(ErrorCode::Internal, fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    DataDirLock lock(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK)
        return fail(ErrorCode::Internal, fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno)));
      std::error_code ec;
      const fs::path real = fs::canonical(dir, ec);
      const std::string shown = ec || real == dir ? dir.string() : fmt::format("{} ({})", dir.string(), real.string());
      return fail(ErrorCode::Conflict,
                  fmt::format("data directory {} is in use by another cpshared, PID {} (it holds {}); stop it "
                              "first, or give this one another --data-dir",
                              shown, lock.holder(), path.filename().string()));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
      return fail(ErrorCode::Internal, fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    return lock;
  }
  DataDirLock(DataDirLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  DataDirLock& operator=(DataDirLock&&) = delete;
  ~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  // The holder's PID from the file; it writes it just after locking, so wait
  // a moment for a file still empty.
  std::string holder() const {
    for (int tries = 0; tries < 100; ++tries) {
      char buf[32] = {};
      const ssize_t n = ::pread(fd_, buf, sizeof(buf) - 1, 0);
      std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      if (!text.empty()) return text;
      ::usleep(10'000);
    }
    return "unknown";
  }
  int fd_ = -1;
};

// DATA_DIR/cpshared.addr, the URL the daemon listens on (for scripts and for
// port 0). Written whole (a temporary file renamed over it), and removed at
// exit only if it still holds what this process wrote.
class AddrFile {
 public:
  AddrFile(fs::path path, std::string url) : path_(std::move(path)), content_(std::move(url) + "\n") {}
  Result<> write() const {
    const fs::path tmp = path_.string() + fmt::format(".{}.tmp", ::getpid());
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << content_;
      out.close();
      if (!out) return fail(ErrorCode::Internal, fmt::format("cannot write {}", tmp.string()));
    }
    std::error_code ec;
    fs::rename(tmp, path_, ec);
    if (ec) {
      fs::remove(tmp, ec);
      return fail(ErrorCode::Internal, fmt::format("cannot write {}: {}", path_.string(), ec.message()));
    }
    return {};
  }
  // True if removed; false if it holds something else now (or is gone).
  bool remove_if_ours() const {
    std::ifstream in(path_);
    if (!in) return false;
    std::stringstream now;
    now << in.rdbuf();
    if (now.str() != content_) return false;
    std::error_code ec;
    return fs::remove(path_, ec);
  }

 private:
  fs::path path_;
  std::string content_;
};

struct Opened {
  std::unique_ptr<crypto::KeyRing> keys;
  std::unique_ptr<Store> store;
};

Result<Opened> open_data(const fs::path& dir) {
  TRY(crypto::init());
  TRY(prepare_data_dir(dir));
  Opened o;
  TRY_ASSIGN(auto keys, crypto::KeyRing::load_or_create(dir / "secret.key"));
  o.keys = std::make_unique<crypto::KeyRing>(std::move(keys));
  TRY_ASSIGN(o.store, Store::open(dir / "cpshare.db"));
  return o;
}

Result<std::string> read_password_stdin() {
  std::string line;
  if (!std::getline(std::cin, line)) return fail_fields({{"--password-stdin", "no password on standard input"}});
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<int> admin_create(const Options& o) {
  if (!o.admin_password_stdin)
    return fail_fields({{"--password-stdin", "pass the password on standard input with --password-stdin"}});
  TRY_ASSIGN(std::string password, read_password_stdin());
  TRY_ASSIGN(Opened d, open_data(o.data_dir));
  Logger log;
  OutboxMailer mailer(fs::path(o.data_dir) / "outbox", o.mail_from);
  SystemClock clock;
  AccountServices accounts(*d.store, *d.keys, mailer, clock, log, AccountConfig{});
  TRY_ASSIGN(api::AccountReply out, accounts.registration.create_admin(o.admin_username, password, o.admin_email));
  fmt::print("created administrator {}\n", out.account.username);
  return 0;
}

// Where the daemon listens, from --listen and the TLS flags, checked before
// anything is opened.
struct Listen {
  std::string host;
  int port = 0;
  bool tls = false;
  std::optional<std::pair<std::string, int>> metrics;  // --metrics-listen
};

Result<Listen> check_listen(const Options& o) {
  TRY_ASSIGN(auto hp, split_listen(o.listen));
  auto [host, port] = hp;
  bool tls = !o.tls_cert.empty() || !o.tls_key.empty();
  if (tls && (o.tls_cert.empty() || o.tls_key.empty()))
    return fail_fields({{"--tls-cert", "give both --tls-cert and --tls-key"}});
  if (!tls && !is_loopback(host) && !o.allow_insecure)
    return fail_fields({{"--listen", fmt::format("{} is not a loopback address: passwords and tokens would cross "
                                                 "the network in clear; give --tls-cert and --tls-key, or "
                                                 "--allow-insecure if a TLS proxy fronts this daemon",
                                                 host)}});
  if (o.session_idle_timeout < 1 || o.session_lifetime < 1)
    return fail_fields({{"--session-idle-timeout", "session timeouts must be at least 1 second"}});
  Listen out{host, port, tls, std::nullopt};
  if (!o.metrics_listen.empty()) {
    TRY_ASSIGN(out.metrics, split_listen(o.metrics_listen, "--metrics-listen", "127.0.0.1:9464"));
    if (!is_loopback(out.metrics->first))
      return fail_fields(
          {{"--metrics-listen", fmt::format("{} is not a loopback address: this listener answers without a token; a "
                                            "Prometheus elsewhere scrapes GET /metrics on --listen with an admin token",
                                            out.metrics->first)}});
  }
  return out;
}

// Blocks the stop signals (SIGTERM, SIGINT) in this thread and every thread it
// starts, so that one thread waits for them (run_until_stopped); ignores SIGPIPE.
sigset_t block_stop_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

// A daemon whose address is taken stops before it creates anything (no data
// directory, key or database left behind); bind() later still decides. When
// a daemon on the same data directory holds it too, that is the likelier
// story, and its PID is named.
Result<> check_address_free(const Listen& listen, const std::string& data_dir) {
  if (auto can = HttpServer::check_can_listen(listen.host, listen.port); !can) {
    std::error_code ec;
    if (fs::is_directory(data_dir, ec)) TRY(DataDirLock::acquire(data_dir));
    return std::unexpected(can.error());
  }
  return {};
}

std::unique_ptr<Mailer> make_mailer(const Options& o) {
  if (!o.smtp_url.empty()) return std::make_unique<SmtpMailer>(o.smtp_url, o.mail_from);
  return std::make_unique<OutboxMailer>(fs::path(o.data_dir) / "outbox", o.mail_from);
}

AccountConfig account_config(const Options& o) {
  AccountConfig config;
  config.session_idle_timeout = o.session_idle_timeout;
  config.session_lifetime = o.session_lifetime;
  return config;
}

Result<LeaseConfig> lease_config(const Options& o) {
  LeaseConfig config;
  config.revoke_retry = o.revoke_retry;
  TRY_ASSIGN(config.calendar, billing::Calendar::named(o.billing_timezone));
  return config;
}

ServerOptions server_options(const Options& o) {
  ServerOptions options;
  options.threads = o.threads;
  options.trusted_proxies = o.trusted_proxies;
  options.max_connections_per_address = o.max_connections_per_address;
  return options;
}

// The URL the daemon answers on once bound (a wildcard address as loopback).
std::string listen_url(const Listen& listen, int bound) {
  std::string url_host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  if (url_host == "0.0.0.0" || url_host == "[::]") url_host = "127.0.0.1";
  return fmt::format("{}://{}:{}", listen.tls ? "https" : "http", url_host, bound);
}

// What runs beside the HTTP server until a stop signal.
struct Housekeeping {
  Store& store;
  const Clock& clock;
  std::int64_t session_idle_timeout;
  LeaseService& leases;
  MetricsService& metrics;
  Logger& log;
};

// Runs the server until SIGTERM or SIGINT (or until it fails), with three
// threads beside it: one waits for the signal and stops the server; the
// janitor drops expired sessions every ten minutes; the scheduler lapses
// undecided lease requests, ends those past their planned end and retries SSH
// account removals every five seconds (state is in the database, so a restart
// picks up where this left off). Answers the server's run.
Result<> run_until_stopped(HttpServer& server, const sigset_t& stop_signals, const Housekeeping& h) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    h.log.info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    server.stop();
  });
  std::thread janitor([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; })) {
      if (auto r = h.store.accounts().delete_expired_sessions(h.clock.now(), h.session_idle_timeout); !r)
        h.log.warn("session cleanup: {}", r.error().message);
    }
  });
  std::thread scheduler([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return stopping; })) {
      lock.unlock();
      h.leases.tick();
      // The service reports of ended B-class leases (R-LEASE-8), a few per tick.
      h.leases.make_reports();
      // Irmds retention (--metrics-raw-days, --metrics-rollup-days).
      if (auto r = h.metrics.prune(); !r) h.log.warn("metrics pruning: {}", r.error().message);
      // B-class clusters whose agent is silent past --agent-timeout go offline.
      if (auto r = h.metrics.tick(); !r) h.log.warn("cluster status: {}", r.error().message);
      lock.lock();
    }
  });
  auto ran = server.run();
  if (!ran) {
    // Wake the signal thread so it can be joined.
    kill(getpid(), SIGTERM);
  }
  signal_thread.join();
  janitor.join();
  scheduler.join();
  return ran;
}

Result<int> serve(const Options& o) {
  TRY_ASSIGN(const Listen listen, check_listen(o));
  const sigset_t stop_signals = block_stop_signals();
  memory::bound_heap_retention();

  Logger log;
  if (!o.log_file.empty()) TRY(log.open_file(o.log_file));
  TRY(check_address_free(listen, o.data_dir));
  // The data directory is this daemon's before anything in it is opened:
  // a second daemon on it stops here, having touched nothing.
  TRY(prepare_data_dir(o.data_dir));
  TRY_ASSIGN(DataDirLock dir_lock, DataDirLock::acquire(o.data_dir));
  TRY_ASSIGN(Opened d, open_data(o.data_dir));
  const std::unique_ptr<Mailer> mailer = make_mailer(o);

  SystemClock clock;
  const AccountConfig config = account_config(o);
  std::optional<TlsFiles> tls_files;
  if (listen.tls) tls_files = TlsFiles{o.tls_cert, o.tls_key};
  AccountServices accounts(*d.store, *d.keys, *mailer, clock, log, config);
  if (auto r = accounts.registration.report_username_collisions(); !r)
    log.warn("username collisions: {}", r.error().message);
  TRY_ASSIGN(ssh::NetworkPolicy networks, ssh::NetworkPolicy::parse_list(o.supplier_networks));
  log.info("supplier networks: {}", networks.describe());
  ssh::LibsshSupplierHost supplier_host(std::move(networks), &log);  // A-class hosts, over libssh
  CatalogService catalog(*d.store, *d.keys, supplier_host, clock);
  TRY_ASSIGN(const LeaseConfig leases_config, lease_config(o));
  LeaseService leases(*d.store, *d.keys, supplier_host, *mailer, clock, log, leases_config);
  MetricsService metrics(
      *d.store, *d.keys, clock,
      MetricsConfig{o.metrics_raw_days, o.metrics_rollup_days, text::parse_duration(o.agent_timeout).value_or(60),
                    text::parse_duration(o.reliability_every).value_or(60)});
  PlatformMetrics platform(*d.store);
  HttpServer server(accounts, catalog, leases, metrics, platform, log, tls_files, server_options(o));
  TRY_ASSIGN(int bound, server.bind(listen.host, listen.port));
  MetricsListener metrics_listener(platform, log);
  std::thread metrics_thread;
  if (listen.metrics) {
    TRY_ASSIGN(int metrics_port, metrics_listener.bind(listen.metrics->first, listen.metrics->second));
    log.info("GET /metrics without a token on http://{}:{}/metrics", listen.metrics->first, metrics_port);
    metrics_thread = std::thread([&] {
      if (auto r = metrics_listener.run(); !r) log.error("{}", r.error().message);
    });
  }
  const std::string url = listen_url(listen, bound);
  // Activation links need the public URL, known only after binding when port is 0.
  accounts.core.set_public_url(o.public_url.empty() ? url : o.public_url);

  const AddrFile addr_file(fs::path(o.data_dir) / "cpshared.addr", url);
  if (auto w = addr_file.write(); !w) log.warn("{}", w.error().message);
  log.info("cpshared {} listening on {} (data {}, mail {}, schema v{})", CPSHARE_VERSION, url, o.data_dir,
           o.smtp_url.empty() ? "outbox" : "smtp", d.store->schema_version());

  auto ran =
      run_until_stopped(server, stop_signals, {*d.store, clock, config.session_idle_timeout, leases, metrics, log});
  if (metrics_thread.joinable()) {
    metrics_listener.stop();
    metrics_thread.join();
  }
  if (!addr_file.remove_if_ours()) log.warn("cpshared.addr no longer holds {}: left as it is", url);
  log.info("cpshared stopped");
  if (!ran) return std::unexpected(ran.error());
  return 0;
}

// The Irmds flags: retention of samples and rollups, the agent timeout.
void add_monitoring_options(CLI::App& app, Options& o) {
  app.add_option("--metrics-raw-days", o.metrics_raw_days,
                 "Days a B-class cluster's raw host samples are kept (Irmds), then pruned")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  app.add_option("--metrics-rollup-days", o.metrics_rollup_days,
                 "Days the 1-minute rollups of host samples are kept, then pruned")
      ->check(CLI::Range(1, 36500))
      ->capture_default_str();
  // A duration flag: seconds, or with a unit; `range` says its bounds in words.
  auto duration = [](std::int64_t min, std::int64_t max, std::string range) {
    return [=](const std::string& v) {
      const auto d = text::parse_duration(v);
      return d && *d >= min && *d <= max ? std::string() : "must be a duration from " + range + ": 60, 60s, 2m";
    };
  };
  app.add_option("--agent-timeout", o.agent_timeout,
                 "How long a B-class cluster's agent may be silent before the cluster is offline: seconds, or "
                 "with a unit (90s, 2m); 1 s to 1 day")
      ->check(duration(1, 86400, "1 s to 1 day"))
      ->capture_default_str();
  app.add_option("--reliability-every", o.reliability_every,
                 "How often each B-class cluster's 30-day reliability is recomputed: seconds, or with a unit (5m); "
                 "5 s to 1 hour")
      ->check(duration(5, 3600, "5 s to 1 hour"))
      ->capture_default_str();
  app.add_option("--metrics-listen", o.metrics_listen,
                 "Loopback HOST:PORT answering GET /metrics (Prometheus text) without a token; off by default "
                 "(GET /metrics on --listen takes an admin token)");
}

}  // namespace

int daemon_main(int argc, char** argv) {
  ::umask(077);  // the database, its WAL, the key and the outbox are for the daemon only
  Options o;
  CLI::App app{"cpshared: the cpshare research compute sharing daemon", "cpshared"};
  app.set_version_flag("--version", std::string("cpshared ") + CPSHARE_VERSION);
  app.add_option("--data-dir", o.data_dir, "Directory for the database, secret key and outbox (created 0700)")
      ->required();
  app.add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain for HTTPS");
  app.add_option("--tls-key", o.tls_key, "PEM private key for HTTPS");
  app.add_flag("--allow-insecure", o.allow_insecure, "Allow a non-loopback listen address without TLS");
  app.add_option("--smtp-url", o.smtp_url, "smtp://host:port (or smtps://) for mail; default: DATA_DIR/outbox/");
  app.add_option("--mail-from", o.mail_from, "Sender address of mail")->capture_default_str();
  app.add_option("--log-file", o.log_file, "Append the log here instead of standard error");
  app.add_option("--public-url", o.public_url, "Base URL in activation links (default: the listen URL)");
  app.add_option("--session-idle-timeout", o.session_idle_timeout, "Seconds of inactivity that end a session")
      ->capture_default_str();
  app.add_option("--session-lifetime", o.session_lifetime, "Seconds after login that end a session")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Connections served at once (each keep-alive client holds one)")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  app.add_option("--trusted-proxy", o.trusted_proxies,
                 "Address or network (CIDR) of a reverse proxy whose X-Forwarded-For names the client; repeatable")
      ->check([](const std::string& spec) {
        auto net = TrustedProxies::parse_network(spec);
        return net ? std::string() : net.error().fields.front().message;
      });
  app.add_option("--supplier-networks", o.supplier_networks,
                 "CIDR[,CIDR...]: the only networks the daemon connects to for suppliers' A-class hosts (each "
                 "address a host name resolves to must lie in one); default: all but loopback, link-local "
                 "(169.254.0.0/16, cloud metadata), unspecified, multicast and broadcast")
      ->check([](const std::string& list) {
        if (text::trim(list).empty())
          return std::string("give at least one network (leave the flag out for the default)");
        auto policy = ssh::NetworkPolicy::parse_list(list);
        return policy ? std::string() : policy.error().fields.front().message;
      });
  app.add_option("--max-connections-per-address", o.max_connections_per_address,
                 "Connections one client address may hold at once (0: no cap); more get 429 at once")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--revocation-retry", o.revoke_retry,
                 "Seconds before retrying a lease account removal that failed (doubles each time, up to an hour)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  add_monitoring_options(app, o);
  app.add_option("--billing-timezone", o.billing_timezone,
                 "IANA time zone of the billing calendar: daily, monthly and yearly periods and bill months")
      ->check([](const std::string& zone) {
        auto cal = billing::Calendar::named(zone);
        return cal ? std::string() : cal.error().fields.front().message;
      })
      ->capture_default_str();
  app.require_subcommand(0, 1);
  auto* admin = app.add_subcommand("admin", "Administration on the data directory (no daemon needed)");
  admin->require_subcommand(1);
  admin->fallthrough();  // `cpshared admin create --data-dir DIR`
  auto* create = admin->add_subcommand("create", "Create an administrator account");
  create->add_option("--username", o.admin_username, "Administrator's username")->required();
  create->add_option("--email", o.admin_email, "Administrator's email (optional)");
  create->add_flag("--password-stdin", o.admin_password_stdin, "Read the password from standard input");
  create->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  Result<int> r = create->parsed() ? admin_create(o) : serve(o);
  if (!r) {
    std::fprintf(stderr, "cpshared: error: %s\n", r.error().message.c_str());
    return r.error().code == ErrorCode::ValidationFailed ? 2 : 1;
  }
  return *r;
}

}  // namespace cpshare
