// The checkpoint store in a PostgreSQL table: for workers of one pipe on several machines.
#pragma once

#include <memory>
#include <string>

#include "coordination/checkpoint_store.hpp"

namespace shardpipe::coordination {

// `url` is a postgresql:// (or postgres://) URL as libpq reads it. Creates the table
// `shardpipe_leases` when it is missing. Any failure here is fatal and names the URL without
// its password.
Result<std::unique_ptr<CheckpointStore>> open_postgres_store(const std::string& url,
                                                             const std::string& pipe);

// `url` without the password of its user info or of a `password=` parameter.
std::string redact_postgres_url(const std::string& url);

}  // namespace shardpipe::coordination
