// The store: the only place that speaks SQL. One Database (store/database.hpp:
// SQLite in WAL mode, the connections, the group commit, the statement cache,
// the migrations) and over it one store per area, each with its rules in its
// header:
//   accounts()  accounts, sessions, activation and recovery codes (account_store.hpp)
//   catalog()   clusters, their secrets and units (catalog_store.hpp)
//   leases()    leases and their units, ledger, auth codes, revocations (lease_store.hpp)
//   audit()     the audit log (audit_store.hpp)
//   metrics()   Irmds host samples, rollups, units' GPU UUIDs (metrics_store.hpp)
//   platform()  counts across areas and newest samples for GET /metrics (platform_store.hpp)
//   reports()   B-class leases' service reports and what they read (report_store.hpp)
// The daemon opens one Store and hands it to the services. Every area store's
// calls inside one atomically() are one transaction. Thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "store/account_store.hpp"
#include "store/audit_store.hpp"
#include "store/catalog_store.hpp"
#include "store/database.hpp"
#include "store/lease_store.hpp"
#include "store/metrics_store.hpp"
#include "store/platform_store.hpp"
#include "store/report_store.hpp"
#include "util/error.hpp"

namespace cpshare {

class Store {
 public:
  // Opens (creating if need be) and migrates the database at path; ":memory:"
  // gives a private in-memory one (tests). Errors as Database::open.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Database& db() { return *db_; }
  AccountStore& accounts() { return accounts_; }
  CatalogStore& catalog() { return catalog_; }
  LeaseStore& leases() { return leases_; }
  AuditStore& audit() { return audit_; }
  MetricsStore& metrics() { return metrics_; }
  PlatformStore& platform() { return platform_; }
  ReportStore& reports() { return reports_; }

  // Database::atomically, flush_erased and schema_version, for brevity at call sites.
  Result<> atomically(const std::function<Result<>()>& fn) { return db_->atomically(fn); }
  Result<> flush_erased() { return db_->flush_erased(); }
  int schema_version() { return db_->schema_version(); }

 private:
  explicit Store(std::unique_ptr<Database> db)
      : db_(std::move(db)),
        accounts_(*db_),
        catalog_(*db_),
        leases_(*db_),
        audit_(*db_),
        metrics_(*db_),
        platform_(*db_),
        reports_(*db_) {}

  std::unique_ptr<Database> db_;
  AccountStore accounts_;
  CatalogStore catalog_;
  LeaseStore leases_;
  AuditStore audit_;
  MetricsStore metrics_;
  PlatformStore platform_;
  ReportStore reports_;
};

}  // namespace cpshare
