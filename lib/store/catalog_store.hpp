// The catalogue: clusters, their secrets and their units (migration 2; R-CL-*).
// SQL over the shared Database (store/database.hpp); the filter language's
// predicate tree is rendered as SQL by store/filter_sql.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/cluster.hpp"
#include "catalog/filter.hpp"
#include "domain/account.hpp"
#include "util/error.hpp"

namespace cpshare {

class Database;

// One unit (accelerator) of a cluster and its status (R-CL-3).
struct UnitRow {
  int index = 0;
  UnitStatus status = UnitStatus::Idle;
  std::optional<std::int64_t> lost_since;  // B-class: its GPU lost since (Unix seconds); nullopt: not lost
  int node = 0;                            // A-class: the node it is on (0 for B)
};

// A-class nodes' host keys are pinned per node (catalog::Node::host_key).
struct ClusterSecrets {
  Blob ssh_key_cipher;         // KeyRing-sealed OpenSSH private key (A-class), the same for every node
  std::string ssh_public_key;  // its authorized_keys line, for the supplier to install
  Blob agent_token_hash;       // B-class monitoring agent's token, keyed hash
};

// A catalogue query: a compiled filter, an order, and who asks.
struct ClusterQuery {
  catalog::Filter filter;                   // rendered by filter_sql (store/filter_sql.hpp)
  std::optional<catalog::SortSpec> sort;    // else newest first
  std::optional<std::int64_t> owner_id;     // only this owner's clusters (any status)
  bool available_only = true;               // listed, with at least one idle unit
  std::optional<std::string> region_first;  // this region's clusters first (when not sorted)
  int limit = 50;
  int offset = 0;
};

class CatalogStore {
 public:
  explicit CatalogStore(Database& db) : db_(db) {}

  // Clusters (catalog::Cluster; owner is filled from accounts.username).
  // insert makes units 0..N-1 idle; gives the new id.
  Result<std::int64_t> insert(const catalog::Cluster& c);
  Result<std::optional<catalog::Cluster>> by_cpc_id(const std::string& cpc_id);
  // Writes the publishable fields and status. A changed unit count adds idle
  // units or removes the highest ones, which must not be busy (CONFLICT). An
  // A-class cluster's changed nodes are written only while no lease holds a
  // unit and no account removal is pending (CONFLICT).
  // It writes every column of c: read c inside the same atomically() (see
  // CatalogService::modify), or a change committed in between is lost.
  Result<> update(const catalog::Cluster& c);
  Result<std::vector<catalog::Cluster>> query(const ClusterQuery& q);
  // How the platform reaches a cluster: the sealed provisioning key (A), its
  // public line, the pinned host-key fingerprint, the agent token's hash (B).
  Result<ClusterSecrets> secrets(std::int64_t cluster_id);
  Result<> set_secrets(std::int64_t cluster_id, const ClusterSecrets& s);
  // Pins node `node`'s host key, if the node still has the endpoint it was
  // verified at (CONFLICT otherwise: it changed meanwhile).
  Result<> pin_node(std::int64_t cluster_id, std::size_t node, const catalog::Node& as_verified,
                    const std::string& fingerprint);
  Result<std::vector<UnitRow>> units(std::int64_t cluster_id);
  // Sets one unit idle or offline; a busy unit cannot be changed by hand, nor
  // a unit whose GPU is lost set idle (CONFLICT).
  Result<> set_unit_status(std::int64_t cluster_id, int index, UnitStatus status, std::int64_t now);

 private:
  Database& db_;
};

}  // namespace cpshare
