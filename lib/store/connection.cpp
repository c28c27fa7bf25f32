#include "store/connection.hpp"

namespace cpshare {

Connection::~Connection() {
  // Statements are finalized before the connection closes.
  extra_.clear();
  in_use_.clear();
  cache_.clear();
}

SQLite::Statement& Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    in_use_.push_back(&it->second);
    return *it->second.statement;
  }
  auto statement = std::make_unique<SQLite::Statement>(*this, sql);
  if (it != cache_.end() || cache_.size() >= kMaxCached) {
    extra_.push_back(std::move(statement));
    return *extra_.back();
  }
  Entry& e = cache_.emplace(sql, Entry{std::move(statement), true}).first->second;
  in_use_.push_back(&e);
  return *e.statement;
}

StatementScope::~StatementScope() {
  for (std::size_t i = in_use_; i < c_.in_use_.size(); ++i) {
    auto* e = c_.in_use_[i];
    e->statement->tryReset();  // an error here is the failed step's own, already reported
    try {
      e->statement->clearBindings();
    } catch (...) {}
    e->in_use = false;
  }
  c_.in_use_.resize(in_use_);
  c_.extra_.resize(extra_);
}

}  // namespace cpshare
