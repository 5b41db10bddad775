// Checks of what a file target holds after a Kinesis pipe ran through reshards.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kinesis_peer.hpp"

namespace shardpipe::testing {

// Per shard folder, each key's records must be in put order; and every file of a child must have
// been written after every file of its parents (a child starts once its parents are finished).
inline void expect_order_and_lineage(const std::vector<KinesisDelivered>& delivered,
                                     const nlohmann::json& shards) {
  std::map<std::string, std::map<std::string, int>> last_n;  // folder -> key -> n
  std::map<std::string, std::filesystem::file_time_type> first_write, last_write;
  for (const auto& record : delivered) {
    auto data = nlohmann::json::parse(record.data);
    auto [at, inserted] = last_n[record.folder].try_emplace(data["k"], -1);
    EXPECT_LT(at->second, data["n"].get<int>()) << record.folder << " " << record.data;
    at->second = data["n"];
    auto [first, new_folder] = first_write.try_emplace(record.folder, record.written);
    first->second = std::min(first->second, record.written);
    auto [last, unused] = last_write.try_emplace(record.folder, record.written);
    last->second = std::max(last->second, record.written);
  }
  for (const auto& child : shards) {
    for (const char* field : {"ParentShardId", "AdjacentParentShardId"}) {
      if (!child.contains(field)) continue;
      std::string parent = child[field];
      std::string id = child["ShardId"];
      if (!first_write.contains(id) || !last_write.contains(parent)) continue;
      EXPECT_LE(last_write[parent], first_write[id])
          << id << " was written to before its parent " << parent << " was finished";
    }
  }
}

}  // namespace shardpipe::testing
