#include "store/store.hpp"

namespace cpshare {

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path) {
  TRY_ASSIGN(auto db, Database::open(path));
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

}  // namespace cpshare
