// create_log: a new log directory with evenly divided open shards.
#include <fmt/format.h>

#include <system_error>

#include "sources/local/file_lock.hpp"
#include "sources/local/hashing.hpp"
#include "sources/local/io.hpp"
#include "sources/local/layout_store.hpp"
#include "sources/local/local_log.hpp"
#include "sources/local/paths.hpp"
#include "sources/local/sequence_file.hpp"

namespace shardpipe::local {

void create_log(const std::filesystem::path& dir, int shard_count) {
  if (shard_count < 1) {
    throw LogError(LogErrorCode::invalid_argument,
                   fmt::format("a local log needs at least one shard, not {}", shard_count));
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw LogError(LogErrorCode::io, "cannot create " + dir.string() + ": " + error.message());
  }

  detail::DirectoryLock lock(dir);
  auto held = lock.hold();
  if (std::filesystem::exists(detail::layout_path(dir))) {
    throw LogError(LogErrorCode::already_exists, "a local log already exists at " + dir.string());
  }
  detail::make_directory(detail::shards_path(dir));
  detail::StoredLayout stored;
  stored.generation = 1;
  auto ranges = detail::even_hash_ranges(static_cast<uint64_t>(shard_count));
  for (uint64_t number = 0; number < ranges.size(); ++number) {
    ShardMeta shard;
    shard.shard_id = detail::shard_id_for(number);
    shard.hash_key_range = ranges[number];
    shard.starting_sequence = detail::first_sequence_number;
    detail::make_directory(detail::shard_path(dir, shard.shard_id));
    stored.layout.shards_.push_back(std::move(shard));
  }
  detail::sync_directory(detail::shards_path(dir));
  detail::SequenceFile(dir).write({});
  // log.json last: the log exists once it does.
  detail::write_layout(dir, stored);
  auto parent = std::filesystem::absolute(dir).parent_path();
  detail::sync_directory(parent);
}

}  // namespace shardpipe::local
