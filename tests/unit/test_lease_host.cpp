// What the lease and catalogue services do on the supplier's host, through
// ssh::SupplierHost with the in-memory fake (fake_supplier_host.hpp): redeem
// makes the account (R-LEASE-5), a failed redeem leaves the lease redeemable,
// ending a lease removes the account, and a removal the host refuses is kept
// and retried by the scheduler with a doubling delay while the supplier is
// told (R-LEASE-7; docs/design/leases.md). That the real implementation
// (LibsshSupplierHost) does these things to a real host is proven against a
// real sshd in tests/ssh/test_provision.cpp and tests/integration/test_leases.sh.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "billing/billing.hpp"
#include "fake_supplier_host.hpp"
#include "catalog_test_support.hpp"
#include "lease_test_support.hpp"
#include "store_test_support.hpp"
#include "ssh/provision.hpp"
#include "util/clock.hpp"

using namespace cpshare;
using testing::FakeSupplierHost;

namespace {

constexpr std::string_view kUserKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMiB0eG1Ox8p2gQ2lW3cQvXq1Qm5oR7yY1uYb3yQm0nA alice@laptop";

struct FakeHost {
  FakeHost() { host_fake.set_policy(testing::loopback_networks()); }  // the hosts are 127.0.0.1
  FakeSupplierHost host_fake;
};

struct Fixture : FakeHost, testing::LeaseFixture {
  // The daemon makes DATA_DIR/outbox at start; the outbox mailer writes into it.
  Fixture() : LeaseFixture(host_fake) { std::filesystem::create_directories(dir / "outbox"); }

  Caller sup = account("acme", Role::Supplier);
  Caller alice = account("alice", Role::User);

  // An A-class cluster of `units` nodes of one GPU each whose host keys its supplier has pinned (cpshare cluster
  // verify). The nodes are all the one fake host, as two sshd on one machine share its accounts.
  std::string verified_cluster(int units, int per_node = 1) {
    const std::string cpc = publish(sup, 'A', units, per_node);
    auto v = testing::verify(catalog, sup, cpc, json::object(), ctx);
    REQUIRE(v);
    CHECK((*v)["nodes"][0]["fingerprint"] == FakeSupplierHost::kFingerprint);  // node 0 is port 1
    return cpc;
  }

  // Alice's lease of `units` nodes (of one unit each) on cpc, approved; answers its id and the authorization code.
  std::pair<std::string, std::string> approved(const std::string& cpc, int units, const std::string& mode = "hourly",
                                               std::optional<int> periods = std::nullopt) {
    json b = {{"cpc_id", cpc}, {"nodes", units}, {"billing", mode}, {"ssh_public_key", kUserKey}};
    if (periods) b["periods"] = *periods;
    auto r = leases.request(alice, api::LeaseRequest::from_body(b).value(), ctx);
    REQUIRE(r);
    const std::string id = r->lease.lease_id;
    auto a = leases.approve(sup, id, ctx);
    REQUIRE(a);
    return {id, a->auth_code};
  }

  // An active lease of alice's (redeemed with the host up); answers its id.
  std::string active(const std::string& cpc, int units) {
    auto [id, code] = approved(cpc, units);
    REQUIRE(leases.redeem(alice, {code}, ctx));
    return id;
  }

  // The lease as the wire has it.
  json lease_json(const std::string& id) { return api::encode(leases.show(alice, id, {}).value().lease); }

  // The removals not yet done, due at any time.
  std::vector<Revocation> pending() { return store->leases().revocations_due(INT64_MAX).value(); }

  // The revocation row of an account, done or not (the store answers only due ones).
  struct Row {
    int attempts = 0;
    std::int64_t next_at = 0;
    std::string last_error;
    std::optional<std::int64_t> done_at;
  };
  std::optional<Row> revocation(const std::string& username) {
    SQLite::Database db((dir / "t.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT attempts, next_at, last_error, done_at FROM revocations WHERE username = ?");
    q.bind(1, username);
    if (!q.executeStep()) return std::nullopt;
    Row r{q.getColumn(0).getInt(), q.getColumn(1).getInt64(), q.getColumn(2).getString(), std::nullopt};
    if (!q.getColumn(3).isNull()) r.done_at = q.getColumn(3).getInt64();
    return r;
  }

  // The mails in the outbox, oldest first.
  std::vector<std::string> mails() {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir / "outbox"))
      if (e.path().extension() == ".eml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& p : files) out.push_back(testing::read_file(p));
    return out;
  }

  std::size_t remove_calls() {
    const auto calls = host_fake.calls();
    return static_cast<std::size_t>(
        std::count_if(calls.begin(), calls.end(), [](const auto& c) { return c.op == "remove"; }));
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("redeem creates one account on the supplier host with the leased GPUs and the user's key",
          "[R-LEASE-4][R-LEASE-5]") {
  Fixture f;
  // Four nodes of two GPUs. Bob holds node 0, so alice's node is node 1, with
  // units 2 and 3 (its GPUs 0 and 1).
  const std::string cpc = f.verified_cluster(4, 2);
  Caller bob = f.account("bob", Role::User);
  REQUIRE(f.lease(bob, cpc, 1));
  auto [id, code] = f.approved(cpc, 1, "daily", 3);
  const std::int64_t now = f.clock.now();

  auto r = f.leases.redeem(f.alice, {code}, f.ctx);
  REQUIRE(r);
  const auto created = f.host_fake.created();
  REQUIRE(created.size() == 1);
  const ssh::LeaseAccount& a = created[0];
  CHECK(a.username == ssh::lease_username(id));
  CHECK(a.gpu_indices == std::vector<int>{0, 1});  // as the node's CUDA numbers them
  CHECK(a.public_key == kUserKey);
  CHECK(a.password.size() == 24);
  CHECK(f.host_fake.accounts().contains(a.username));

  // As the cluster's admin, with the sealed provisioning key and the pinned host key.
  const ssh::Target t = f.host_fake.last_target();
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == 2);  // node 1
  CHECK(t.user == "root");
  CHECK(t.pinned_fingerprint == std::string(FakeSupplierHost::kFingerprint) + "/2");  // port 2's key (key_at)
  CHECK(t.private_openssh.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
  CHECK(t.timeout_seconds == f.config.ssh_timeout_seconds);

  // The user gets the access to that account, and the lease is running.
  const api::LeaseAccess access = r->access;
  CHECK(access.method == "ssh");
  CHECK(access.host == "127.0.0.1");
  CHECK(access.port == 2);
  CHECK(access.username == a.username);
  CHECK(access.password == a.password);
  CHECK(access.gpu_indices == std::vector<int>{2, 3});  // in the cluster
  CHECK(access.cuda_visible_devices == "0,1");          // on the node
  REQUIRE(access.nodes);
  REQUIRE(access.nodes->size() == 1);
  CHECK((*access.nodes)[0].node == 1);
  CHECK((*access.nodes)[0].gpu_indices == std::vector<int>{2, 3});
  CHECK(access.ssh_key == "your public key is installed");
  CHECK(access.usage == "ssh in");
  CHECK(r->lease.state == LeaseState::Active);
  // The account expires with the lease's planned end, 3 days on.
  CHECK(r->lease.planned_end == api::Time{a.expires_at});
  CHECK(a.expires_at == now + 3 * 86400);  // Beijing time has no DST
  CHECK(api::encode(f.leases.show(f.alice, id, {true}).value().access) == api::encode(access));  // sealed in the lease

  // The code is spent: a second redeem makes no second account.
  CHECK(f.leases.redeem(f.alice, {code}, f.ctx).error().code == ErrorCode::InvalidCode);
  CHECK(f.host_fake.created().size() == 1);

  // Pay-as-you-go has no planned end: its account lasts as long as the lease may (the ten-year
  // horizon where the scheduler ends it), until release removes it.
  auto [open_id, open_code] = f.approved(cpc, 1);
  REQUIRE(f.leases.redeem(f.alice, {open_code}, f.ctx));
  REQUIRE(f.host_fake.created().size() == 2);
  CHECK(f.host_fake.created()[1].username == ssh::lease_username(open_id));
  CHECK(f.host_fake.created()[1].gpu_indices == std::vector<int>{0, 1});  // node 2's
  CHECK(f.host_fake.created()[1].expires_at == f.clock.now() + billing::kOpenHourlyHorizonHours * 3600);
  CHECK(f.host_fake.created()[1].expires_at == f.clock.now() + 3660 * 86400);
}

TEST_CASE("a redeem the host cannot serve fails cleanly and the code still redeems", "[R-LEASE-4][R-LEASE-5]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(2, 2);  // two nodes of two GPUs; the lease takes node 0
  auto [id, code] = f.approved(cpc, 1, "daily", 1);
  const std::string user = ssh::lease_username(id);
  const json before = f.lease_json(id);

  // What every failed attempt leaves: the lease approved with its units reserved, no access,
  // no charge, no account, nothing queued for removal, and the code still the lease's.
  auto unchanged = [&] {
    CHECK(f.lease_json(id) == before);
    CHECK(before["state"] == "approved");
    CHECK(f.units_free(cpc) == 2);
    CHECK(f.leases.show(f.alice, id, {true}).error().code == ErrorCode::Conflict);  // no access yet
    CHECK(f.leases.ledger(f.alice, {}, false).value().items.empty());
    CHECK(f.host_fake.accounts().empty());
    CHECK(f.pending().empty());
    const auto removal = f.revocation(user);  // the one queued in case the daemon died mid-redeem: void
    CHECK((!removal || removal->done_at));
    CHECK(f.leases.check_code(f.alice, {code}, f.ctx).value().lease.lease_id == id);
  };

  SECTION("host down: Unavailable, saying which host") {
    f.host_fake.go_down();
    auto r = f.leases.redeem(f.alice, {code}, f.ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Unavailable);
    CHECK(contains(r.error().message, "create the account on node 0 (127.0.0.1:1)"));
    CHECK(contains(r.error().message, "connect"));
    unchanged();
  }
  SECTION("host key changed since it was pinned: Conflict, never authenticated against") {
    f.host_fake.change_host_key("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    auto r = f.leases.redeem(f.alice, {code}, f.ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Conflict);
    CHECK(contains(r.error().message, "host key of 127.0.0.1:1 changed"));
    unchanged();
    // The supplier re-pins (cpshare cluster verify --repin); the redeem then goes through.
    REQUIRE(testing::verify(f.catalog, f.sup, cpc, {{"repin", true}}, f.ctx));
  }
  // The squatter is a supplier's own account of that name: a lease account made
  // earlier (by a create of this name) would now be taken over and applied again,
  // as a multi-node lease's nodes create the same account (issue 12).
  SECTION("the account name is taken on the host by an account cpshare did not make: Conflict, it is untouched") {
    f.host_fake.add_foreign_account(user);
    auto r = f.leases.redeem(f.alice, {code}, f.ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Conflict);
    CHECK(contains(r.error().message, "cpshare did not create it"));
    ssh::Target admin = f.host_fake.last_target();
    CHECK(f.host_fake.lease_account_exists(admin, user).value());
    f.host_fake.remove_foreign_account(user);
    unchanged();
  }
  SECTION("cluster never verified: Unavailable without contacting the host") {
    const std::string unverified = f.publish(f.sup, 'A', 1);
    auto [other, other_code] = f.approved(unverified, 1);
    const std::size_t calls = f.host_fake.calls().size();
    auto r = f.leases.redeem(f.alice, {other_code}, f.ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Unavailable);
    CHECK(contains(r.error().message, "has not been verified"));
    CHECK(f.host_fake.calls().size() == calls);
    CHECK(f.lease_json(other)["state"] == "approved");
    unchanged();
  }

  // Once the host answers, the same code redeems: exactly one account.
  f.host_fake.come_up();
  auto r = f.leases.redeem(f.alice, {code}, f.ctx);
  REQUIRE(r);
  CHECK(r->lease.state == LeaseState::Active);
  REQUIRE(f.host_fake.created().size() == 1);
  CHECK(f.host_fake.accounts().size() == 1);
  CHECK(f.host_fake.accounts().at(user).gpu_indices == std::vector<int>{0, 1});
}

TEST_CASE("ending a lease removes its account from the host", "[R-LEASE-7]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(4);
  const std::string released = f.active(cpc, 1);
  const std::string terminated = f.active(cpc, 1);
  auto [expiring, code] = f.approved(cpc, 1, "daily", 1);
  REQUIRE(f.leases.redeem(f.alice, {code}, f.ctx));
  REQUIRE(f.host_fake.accounts().size() == 3);

  // Release (the user), terminate (the supplier): removed at once, the removal recorded as done.
  REQUIRE(f.leases.release(f.alice, released, f.ctx));
  CHECK(f.host_fake.removed() == std::vector<std::string>{ssh::lease_username(released)});
  auto row = f.revocation(ssh::lease_username(released));
  REQUIRE(row);
  CHECK(row->attempts == 1);
  CHECK(row->done_at == f.clock.now());
  CHECK(row->last_error.empty());
  REQUIRE(f.leases.terminate(f.sup, terminated, {"maintenance"}, f.ctx));
  CHECK(f.host_fake.removed().back() == ssh::lease_username(terminated));

  // Expiry: the scheduler ends the daily lease after its day and removes the account.
  f.clock.advance(86400 + 1);
  f.leases.tick();
  CHECK(f.lease_json(expiring)["end_reason"] == "expired");
  CHECK(f.host_fake.removed().back() == ssh::lease_username(expiring));
  CHECK(f.host_fake.accounts().empty());
  CHECK(f.pending().empty());
  CHECK(f.mails().empty());  // nothing for the supplier to do
  CHECK(f.remove_calls() == 3);
}

TEST_CASE("a removal the host cannot take is retried by the scheduler, twice as late each time, until it is done",
          "[R-LEASE-7]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1, 2);  // one node of two GPUs
  const std::string id = f.active(cpc, 1);
  const std::string user = ssh::lease_username(id);

  f.host_fake.go_down();
  const std::int64_t ended_at = f.clock.now();
  auto r = f.leases.release(f.alice, id, f.ctx);
  REQUIRE(r);  // the lease ends, billed, its units released, whatever the host does
  CHECK(r->lease.state == LeaseState::Ended);
  // But the node is not offered while the last tenant's account is on it (issue 12).
  CHECK(f.units_free(cpc) == 0);
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 0);
  CHECK(f.lease(f.account("bob", Role::User), cpc, 1).error().code == ErrorCode::UnitsUnavailable);
  CHECK(f.host_fake.accounts().contains(user));
  CHECK(f.remove_calls() == 1);

  // Kept for the scheduler: first retry after LeaseConfig::revoke_retry.
  const std::int64_t first = LeaseConfig{}.revoke_retry;
  REQUIRE(first == 30);
  auto p = f.pending();
  REQUIRE(p.size() == 1);
  CHECK(p[0].username == user);
  CHECK(p[0].attempts == 1);
  CHECK(p[0].next_at == ended_at + first);
  CHECK(contains(p[0].last_error, "connect"));

  // The supplier is told once, by mail, with the account and the next attempt.
  auto m = f.mails();
  REQUIRE(m.size() == 1);
  CHECK(contains(m[0], "To: acme@example.org"));
  CHECK(contains(m[0], user));
  CHECK(contains(m[0], fmt::format("cpshare tries again at {}", rfc3339(ended_at + first))));

  // Not before it is due.
  f.clock.advance(first - 1);
  f.leases.tick();
  CHECK(f.remove_calls() == 1);

  // Each failed retry doubles the delay, up to revoke_backoff_max (an hour).
  f.clock.advance(1);
  std::vector<std::int64_t> delays;
  for (int attempt = 2; attempt <= 10; ++attempt) {
    f.leases.tick();
    CHECK(f.remove_calls() == static_cast<std::size_t>(attempt));
    p = f.pending();
    REQUIRE(p.size() == 1);
    CHECK(p[0].attempts == attempt);
    delays.push_back(p[0].next_at - f.clock.now());
    f.clock.advance(p[0].next_at - f.clock.now());
  }
  CHECK(delays == std::vector<std::int64_t>{60, 120, 240, 480, 960, 1920, 3600, 3600, 3600});
  CHECK(contains(f.log_text(), fmt::format("WARN scheduler: remove account {} of lease #", user)));
  CHECK(contains(f.log_text(), "attempt 10, next at"));
  CHECK(f.mails().size() == 1);  // told once, not at every retry

  // The host is back: the next tick removes the account and clears the removal.
  f.host_fake.come_up();
  f.leases.tick();
  CHECK_FALSE(f.host_fake.accounts().contains(user));
  CHECK(f.host_fake.removed() == std::vector<std::string>{user});
  CHECK(f.pending().empty());
  auto row = f.revocation(user);
  REQUIRE(row);
  CHECK(row->attempts == 11);
  CHECK(row->done_at == f.clock.now());
  CHECK(row->last_error.empty());
  CHECK(f.units_free(cpc) == 2);  // the node is offered again
  // Nothing more to do on later ticks.
  f.clock.advance(86400);
  f.leases.tick();
  CHECK(f.remove_calls() == 11);
  CHECK(f.mails().size() == 1);
}

// Issue 10, point 8: the removal tried at once when a lease ends (start_revocations)
// logs the error it meets, as the scheduler's retries do, instead of dropping it.
TEST_CASE("a removal that fails when a lease ends is logged with what failed and when it is retried", "[R-LEASE-7]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(3);
  const std::string fine = f.active(cpc, 1);
  const std::string down = f.active(cpc, 1);
  const std::string changed = f.active(cpc, 1);

  // Removed at once: nothing to log.
  REQUIRE(f.leases.release(f.alice, fine, f.ctx));
  CHECK_FALSE(contains(f.log_text(), "lease end:"));

  // The host is unreachable: the lease ends, the error is logged with the next attempt.
  f.host_fake.go_down();
  REQUIRE(f.leases.release(f.alice, down, f.ctx));
  const std::string user = ssh::lease_username(down);
  const std::string log = f.log_text();
  CHECK(contains(log, fmt::format("WARN lease end: remove account {} of lease #", user)));
  CHECK(contains(log, fmt::format("(attempt 1, next at {})", rfc3339(f.clock.now() + LeaseConfig{}.revoke_retry))));
  REQUIRE(f.pending().size() == 1);
  CHECK(contains(log, f.pending()[0].last_error));

  // The account's name is now one cpshare did not make: given up, and logged as such (terminate, by the supplier).
  f.host_fake.come_up();
  const std::string other = ssh::lease_username(changed);
  f.host_fake.add_foreign_account(other);
  REQUIRE(f.leases.terminate(f.sup, changed, {"maintenance"}, f.ctx));
  CHECK(contains(f.log_text(), fmt::format("WARN lease end: remove account {} of lease #", other)));
  CHECK(contains(f.log_text(), "127.0.0.1:3"));  // node 2's, the lease's
  CHECK(contains(f.log_text(), "given up; the supplier was told"));
  f.host_fake.remove_foreign_account(other);
}

TEST_CASE("a removal held up by a changed host key waits, its node not offered, until the supplier re-pins it",
          "[R-LEASE-7][issue-12]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1);
  const std::string id = f.active(cpc, 1);
  const std::string user = ssh::lease_username(id);
  const std::string changed = "SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
  f.host_fake.change_host_key(changed);

  REQUIRE(f.leases.release(f.alice, id, f.ctx));
  CHECK(f.host_fake.accounts().contains(user));  // never authenticated against a changed key
  auto row = f.revocation(user);
  REQUIRE(row);
  CHECK(row->attempts == 1);
  CHECK_FALSE(row->done_at);  // not given up: the last tenant's account may be on the node
  CHECK(contains(row->last_error, "host key of 127.0.0.1:1 changed"));
  CHECK(contains(row->last_error, fmt::format("cpshare cluster verify {} --repin", cpc)));
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 0);
  auto m = f.mails();
  REQUIRE(m.size() == 1);
  CHECK(contains(m[0], fmt::format("cpshare cluster verify {} --repin", cpc)));
  f.clock.advance(3600);
  f.leases.tick();  // retried, still held up
  CHECK(f.host_fake.accounts().contains(user));
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 0);

  // The supplier confirms the new key and re-pins: the removal is due at once and goes through.
  REQUIRE(testing::verify(f.catalog, f.sup, cpc, {{"repin", true}}, f.ctx));
  f.leases.tick();
  CHECK_FALSE(f.host_fake.accounts().contains(user));
  CHECK(f.revocation(user)->done_at == f.clock.now());
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 1);
}

TEST_CASE("verify pins the host key on first contact and refuses a changed one until re-pinned", "[R-SEC-1]") {
  Fixture f;
  const std::string cpc = f.publish(f.sup, 'A', 1);
  auto first = testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx);
  REQUIRE(first);
  CHECK((*first)["nodes"][0]["fingerprint"] == FakeSupplierHost::kFingerprint);
  CHECK((*first)["nodes"][0]["key_type"] == "ssh-ed25519");
  CHECK((*first)["nodes"][0]["pinned_now"] == true);
  CHECK(f.host_fake.last_target().pinned_fingerprint.empty());  // first contact
  CHECK(testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx).value()["nodes"][0]["pinned_now"] == false);
  CHECK(f.host_fake.last_target().pinned_fingerprint == FakeSupplierHost::kFingerprint);

  const std::string other = "SHA256:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
  f.host_fake.change_host_key(other);
  auto changed = testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx);
  REQUIRE_FALSE(changed);
  CHECK(changed.error().code == ErrorCode::Conflict);
  CHECK(contains(changed.error().message, fmt::format("cpshare cluster verify {} --repin", cpc)));
  CHECK(f.catalog.show(f.sup, cpc).value().cluster.access.nodes.value().at(0).host_key_fingerprint ==
        FakeSupplierHost::kFingerprint);

  f.host_fake.go_down(1);
  CHECK(testing::verify(f.catalog, f.sup, cpc, {{"repin", true}}, f.ctx).error().code == ErrorCode::Unavailable);
  auto repinned = testing::verify(f.catalog, f.sup, cpc, {{"repin", true}}, f.ctx);  // down for one call only
  REQUIRE(repinned);
  CHECK((*repinned)["nodes"][0]["fingerprint"] == other);
  CHECK((*repinned)["nodes"][0]["pinned_now"] == true);
  CHECK(f.catalog.show(f.sup, cpc).value().cluster.access.nodes.value().at(0).host_key_fingerprint == other);
}

TEST_CASE("the supplier host refuses addresses outside the platform's networks before it connects", "[R-SEC-1]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(2);  // at 127.0.0.1, allowed here explicitly
  auto [id, code] = f.approved(cpc, 1);

  // Under the default networks the same host is loopback: nothing is connected to.
  f.host_fake.set_policy(ssh::NetworkPolicy{});
  const std::size_t calls = f.host_fake.calls().size();
  auto v = testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::Forbidden);
  CHECK(contains(v.error().message, "127.0.0.1 is a loopback address, which this platform does not connect to"));
  auto r = f.leases.redeem(f.alice, {code}, f.ctx);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Forbidden);
  CHECK(f.host_fake.accounts().empty());
  for (std::size_t i = calls; i < f.host_fake.calls().size(); ++i) CHECK_FALSE(f.host_fake.calls()[i].ok);

  // Publishing such a host is refused as the field it came in.
  CHECK(f.host_fake.check_address("169.254.169.254").error().code == ErrorCode::Forbidden);
  CHECK(f.host_fake.check_address("gpu01.example.org"));
}

// The fake answers as the real host does (tests/ssh/test_provision.cpp): the
// nodes of a multi-node lease create the same account (issue 12), so a second
// create of a lease account succeeds and the last one's record holds; an
// account of that name that cpshare did not make is a Conflict for create and
// remove alike.
TEST_CASE("the fake host takes a second create of a lease account and refuses a foreign one", "[R-LEASE-5]") {
  FakeSupplierHost host;
  ssh::Target admin;
  admin.host = "10.0.0.5";  // the default supplier networks refuse loopback
  admin.port = 1;
  admin.user = "root";
  admin.pinned_fingerprint = std::string(FakeSupplierHost::kFingerprint);
  ssh::LeaseAccount a{"cpl_node", "First-password-123456", "", {0, 1}, 1700000000};
  REQUIRE(host.create_lease_account(admin, a));
  ssh::LeaseAccount again = a;
  again.password = "Second-password-123456";
  REQUIRE(host.create_lease_account(admin, again));
  CHECK(host.accounts().size() == 1);
  CHECK(host.accounts().at("cpl_node").password == "Second-password-123456");
  CHECK(host.created().size() == 2);

  host.add_foreign_account("cpl_theirs");
  a.username = "cpl_theirs";
  CHECK(host.create_lease_account(admin, a).error().code == ErrorCode::Conflict);
  CHECK(host.remove_lease_account(admin, "cpl_theirs").error().code == ErrorCode::Conflict);
  CHECK(host.lease_account_exists(admin, "cpl_theirs").value());
  CHECK_FALSE(host.accounts().contains("cpl_theirs"));
  CHECK(host.removed().empty());
}

TEST_CASE("one machine is offered in one cluster only: a second cluster cannot pin its host key", "[issue-12]") {
  Fixture f;
  const std::string first = f.publish(f.sup, 'A', 1);  // 127.0.0.1:1
  REQUIRE(testing::verify(f.catalog, f.sup, first, json::object(), f.ctx));
  const std::string second = f.publish(f.sup, 'A', 1);  // 127.0.0.1:2, then moved to the first one's machine
  REQUIRE(testing::update(
      f.catalog, f.sup, second,
      {{"access", {{"nodes", {{{"host", "127.0.0.1"}, {"port", 1}, {"user", "root"}, {"units", 1}}}}}}}, f.ctx));
  auto twice = testing::verify(f.catalog, f.sup, second, json::object(), f.ctx);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == ErrorCode::Conflict);
  CHECK(contains(twice.error().message, fmt::format("is already node 0 of {}", first)));
  CHECK_FALSE(f.catalog.show(f.sup, second).value().cluster.access.nodes.value().at(0).host_key_fingerprint);

  // Delisted (and not leased), the first cluster no longer offers it; relisted while the second does, refused.
  REQUIRE(f.catalog.set_listed(f.sup, first, false, f.ctx));
  REQUIRE(testing::verify(f.catalog, f.sup, second, json::object(), f.ctx));
  auto relisted = f.catalog.set_listed(f.sup, first, true, f.ctx);
  REQUIRE_FALSE(relisted);
  CHECK(relisted.error().code == ErrorCode::Conflict);
  CHECK(contains(relisted.error().message, fmt::format("is already node 0 of {}", second)));
}

TEST_CASE("a failed redeem tells the leaser the step, and its supplier what the node printed, until one succeeds",
          "[issue-12][R-SEC-1]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1);
  auto [id, code] = f.approved(cpc, 1);
  f.host_fake.fail_creates("useradd: cannot lock /etc/passwd; try again later.");
  auto r = f.leases.redeem(f.alice, {code}, f.ctx);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Unavailable);
  CHECK(contains(r.error().message, "exited with status 1"));
  CHECK(contains(r.error().message, fmt::format("its supplier sees why in cpshare leases show {}", id)));
  CHECK_FALSE(contains(r.error().message, "/etc/passwd"));
  CHECK(f.lease_json(id)["agent"].is_null());  // the leaser's view
  const auto seen = f.leases.show(f.sup, id, {}).value().lease.agent;
  REQUIRE(seen);
  CHECK(seen->step == "provision");
  CHECK(seen->attempts == 1);
  REQUIRE(seen->last_error);
  CHECK(contains(*seen->last_error, "create the account on 127.0.0.1:1"));
  CHECK(contains(*seen->last_error, "the node printed: useradd: cannot lock /etc/passwd"));

  // Fixed on the node: the same code redeems, and the failure is gone from the supplier's view.
  f.host_fake.fail_creates(std::nullopt);
  REQUIRE(f.leases.redeem(f.alice, {code}, f.ctx));
  CHECK_FALSE(f.leases.show(f.sup, id, {}).value().lease.agent);
}

TEST_CASE("one redeem of a lease at a time; one cut short by a dying daemon leaves a removal, not an account",
          "[issue-12][R-LEASE-5]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1);
  auto [id, code] = f.approved(cpc, 1);
  const std::string user = ssh::lease_username(id);
  const std::int64_t lease_row = f.store->leases().by_lease_id(id).value()->id;

  // A redeem in progress (another request's): a second one waits for it, touching nothing.
  const std::int64_t until = f.clock.now() + 600;
  REQUIRE(f.store->leases().begin_redeem(lease_row, user, f.clock.now(), until).value());
  auto second = f.leases.redeem(f.alice, {code}, f.ctx);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ErrorCode::Conflict);
  CHECK(contains(second.error().message, "in progress"));
  CHECK(f.host_fake.created().empty());

  // That redeem's daemon died after making the account on the node: the queued removal takes it
  // away when the redeem would have been over, and the lease, still approved, redeems again.
  f.host_fake.put_account({user, "pw", "", {0}, until});
  f.leases.tick();
  CHECK(f.host_fake.accounts().contains(user));  // not before its time
  f.clock.advance(601);
  f.leases.tick();
  CHECK_FALSE(f.host_fake.accounts().contains(user));
  CHECK(f.lease_json(id)["state"] == "approved");
  REQUIRE(f.leases.redeem(f.alice, {code}, f.ctx));
  CHECK(f.host_fake.accounts().contains(user));
  CHECK(f.pending().empty());  // the redeem's own queued removal is void once it made the account
  f.clock.advance(3600);
  f.leases.tick();
  CHECK(f.host_fake.accounts().contains(user));
}

TEST_CASE("a lease rejected while a dead redeem's account may be on its node frees the node only once it is removed",
          "[issue-12][R-LEASE-5]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1);
  auto [id, code] = f.approved(cpc, 1);
  const std::string user = ssh::lease_username(id);
  const std::int64_t lease_row = f.store->leases().by_lease_id(id).value()->id;
  REQUIRE(f.store->leases().begin_redeem(lease_row, user, f.clock.now(), f.clock.now() + 600).value());
  f.host_fake.put_account({user, "pw", "", {0}, f.clock.now() + 600});
  REQUIRE(f.leases.reject(f.sup, id, {"no longer available"}, f.ctx));
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 0);
  f.clock.advance(601);
  f.leases.tick();
  CHECK_FALSE(f.host_fake.accounts().contains(user));
  CHECK(f.store->catalog().by_cpc_id(cpc).value()->nodes_free == 1);
}

TEST_CASE("verify pins every node or none: with one node down, none is pinned", "[issue-12][R-SEC-1]") {
  Fixture f;
  const std::string cpc = f.publish(f.sup, 'A', 2);  // 127.0.0.1:1 and :2
  f.host_fake.go_down_at(2);
  auto v = testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::Unavailable);
  CHECK(contains(v.error().message, "node 1"));
  CHECK(contains(v.error().message, "no node was pinned"));
  auto nodes = [&] { return f.catalog.show(f.sup, cpc).value().cluster.access.nodes.value(); };
  const auto before = nodes();
  REQUIRE(before.size() == 2);
  CHECK_FALSE(before[0].host_key_fingerprint);  // node 0 answered, but its key is not pinned alone
  CHECK_FALSE(before[1].host_key_fingerprint);
  f.host_fake.come_up();
  REQUIRE(testing::verify(f.catalog, f.sup, cpc, json::object(), f.ctx));
  const auto after = nodes();
  CHECK(after[0].host_key_fingerprint);
  CHECK(after[1].host_key_fingerprint);
}

TEST_CASE("a re-pin while a redeem runs does not bring its own queued removal forward", "[issue-12][R-LEASE-5]") {
  Fixture f;
  const std::string cpc = f.verified_cluster(1);
  auto [id, code] = f.approved(cpc, 1);
  const std::string user = ssh::lease_username(id);
  const std::int64_t lease_row = f.store->leases().by_lease_id(id).value()->id;
  // A redeem in progress has made the account on the node (another request's, still running).
  REQUIRE(f.store->leases().begin_redeem(lease_row, user, f.clock.now(), f.clock.now() + 600).value());
  f.host_fake.put_account({user, "pw", "", {0}, f.clock.now() + 600});
  // Meanwhile the supplier re-pins the node: removals it held up go ahead, but not this redeem's.
  REQUIRE(f.store->leases().hasten_revocations(f.store->catalog().by_cpc_id(cpc).value()->id, f.clock.now()));
  f.leases.tick();
  CHECK(f.host_fake.accounts().contains(user));
  CHECK(f.store->leases().revocations_due(f.clock.now()).value().empty());
}
