// Split and merge: close the parent(s) and open children in one atomic replacement of log.json,
// under the directory lock, after repairing the tails so the parents' ending sequences are exact.
#include <fmt/format.h>

#include "sources/local/file_lock.hpp"
#include "sources/local/hashing.hpp"
#include "sources/local/io.hpp"
#include "sources/local/layout_store.hpp"
#include "sources/local/local_log.hpp"
#include "sources/local/paths.hpp"
#include "sources/local/recovery.hpp"

namespace shardpipe::local {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw LogError(LogErrorCode::invalid_argument, message);
}

// Everything a reshard needs, gathered under the lock.
class Reshard {
 public:
  explicit Reshard(const std::filesystem::path& dir)
      : dir_(dir),
        stored_(detail::read_layout(dir)),  // not_found before LOCK is created in a stray folder
        lock_(dir),
        held_(lock_.hold()) {
    stored_ = detail::read_layout(dir);  // again, now that no one can change it
    detail::SequenceFile sequence_file(dir);
    recovered_ = detail::recover_log(dir, stored_.layout, sequence_file);
  }

  ShardMeta& open_shard(const std::string& shard_id) {
    for (auto& shard : stored_.layout.shards_) {
      if (shard.shard_id != shard_id) {
        continue;
      }
      if (!shard.open()) {
        invalid(fmt::format("shard {} of {} is closed: only open shards can be resharded", shard_id,
                            dir_.string()));
      }
      return shard;
    }
    invalid(fmt::format("no shard {} in the local log at {}", shard_id, dir_.string()));
  }

  // Closes `shard` at the last sequence it holds.
  void close(ShardMeta& shard) {
    const auto& tail = recovered_.open_tails.at(shard.shard_id);
    shard.ending_sequence = tail.last_sequence ? *tail.last_sequence : shard.starting_sequence - 1;
  }

  std::string add_child(HashKeyRange range, std::string parent,
                        std::optional<std::string> adjacent_parent) {
    ShardMeta child;
    child.shard_id =
        detail::shard_id_for(detail::next_shard_number(stored_.layout) + pending_children_.size());
    child.parent_shard_id = std::move(parent);
    child.adjacent_parent_shard_id = std::move(adjacent_parent);
    child.hash_key_range = range;
    child.starting_sequence = recovered_.sequence.next_sequence;
    pending_children_.push_back(std::move(child));
    return pending_children_.back().shard_id;
  }

  // Creates the children's folders, then publishes the new table: parents closed, children open.
  void commit() {
    for (const auto& child : pending_children_) {
      detail::make_directory(detail::shard_path(dir_, child.shard_id));
    }
    detail::sync_directory(detail::shards_path(dir_));
    for (auto& child : pending_children_) {
      stored_.layout.shards_.push_back(std::move(child));
    }
    ++stored_.generation;
    detail::write_layout(dir_, stored_);
  }

 private:
  std::filesystem::path dir_;
  detail::StoredLayout stored_;
  detail::DirectoryLock lock_;
  detail::DirectoryLock::Held held_;
  detail::RecoveredLog recovered_;
  std::vector<ShardMeta> pending_children_;
};

}  // namespace

std::vector<std::string> split_shard(const std::filesystem::path& dir, const std::string& shard_id,
                                     std::optional<uint128> new_starting_hash_key) {
  Reshard reshard(dir);
  ShardMeta& parent = reshard.open_shard(shard_id);
  HashKeyRange range = parent.hash_key_range;
  std::optional<uint128> split_at =
      new_starting_hash_key ? new_starting_hash_key : detail::middle_split_point(range);
  if (!split_at) {
    invalid(fmt::format("shard {} covers a single hash key and cannot be split", shard_id));
  }
  if (*split_at <= range.starting_hash_key || *split_at > range.ending_hash_key) {
    invalid(fmt::format("new starting hash key {} must lie in ({}, {}], the range of shard {}",
                        to_decimal(*split_at), to_decimal(range.starting_hash_key),
                        to_decimal(range.ending_hash_key), shard_id));
  }
  reshard.close(parent);
  std::vector<std::string> children{
      reshard.add_child({range.starting_hash_key, *split_at - 1}, parent.shard_id, std::nullopt),
      reshard.add_child({*split_at, range.ending_hash_key}, parent.shard_id, std::nullopt),
  };
  reshard.commit();
  return children;
}

std::string merge_shards(const std::filesystem::path& dir, const std::string& shard_id,
                         const std::string& adjacent_shard_id) {
  if (shard_id == adjacent_shard_id) {
    invalid(fmt::format("cannot merge shard {} with itself", shard_id));
  }
  Reshard reshard(dir);
  ShardMeta* lower = &reshard.open_shard(shard_id);
  ShardMeta* upper = &reshard.open_shard(adjacent_shard_id);
  if (lower->hash_key_range.starting_hash_key > upper->hash_key_range.starting_hash_key) {
    std::swap(lower, upper);
  }
  if (lower->hash_key_range.ending_hash_key + 1 != upper->hash_key_range.starting_hash_key) {
    invalid(fmt::format(
        "shards {} and {} are not adjacent: their hash-key ranges [{}, {}] and [{}, {}] do not "
        "touch",
        shard_id, adjacent_shard_id, to_decimal(lower->hash_key_range.starting_hash_key),
        to_decimal(lower->hash_key_range.ending_hash_key),
        to_decimal(upper->hash_key_range.starting_hash_key),
        to_decimal(upper->hash_key_range.ending_hash_key)));
  }
  reshard.close(*lower);
  reshard.close(*upper);
  std::string child = reshard.add_child(
      {lower->hash_key_range.starting_hash_key, upper->hash_key_range.ending_hash_key},
      lower->shard_id, upper->shard_id);
  reshard.commit();
  return child;
}

}  // namespace shardpipe::local
