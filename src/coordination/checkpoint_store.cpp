#include "coordination/checkpoint_store.hpp"

#include <fmt/format.h>

#include "coordination/postgres_store.hpp"
#include "coordination/sqlite_store.hpp"

namespace shardpipe::coordination {

Result<std::unique_ptr<CheckpointStore>> open_checkpoint_store(const std::string& url,
                                                               const std::string& pipe) {
  constexpr std::string_view sqlite_prefix = "sqlite:";
  if (url.starts_with(sqlite_prefix)) {
    return open_sqlite_store(url.substr(sqlite_prefix.size()), pipe);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return open_postgres_store(url, pipe);
  }
  return fail(Error::fatal(
      fmt::format("checkpoint store '{}' is not supported: use sqlite:PATH or a postgresql:// URL",
                  redact_postgres_url(url))));
}

}  // namespace shardpipe::coordination
