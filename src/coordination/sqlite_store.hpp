// The checkpoint store in one SQLite file (WAL mode): the default, for one machine.
#pragma once

#include <filesystem>
#include <memory>

#include "coordination/checkpoint_store.hpp"

namespace shardpipe::coordination {

Result<std::unique_ptr<CheckpointStore>> open_sqlite_store(const std::filesystem::path& file,
                                                           const std::string& pipe);

}  // namespace shardpipe::coordination
