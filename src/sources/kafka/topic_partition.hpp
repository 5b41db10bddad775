// A Kafka topic-partition and its shard id, "<topic>-<partition>" (CONTRACT section 7).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardpipe::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  std::string shard_id() const { return topic + "-" + std::to_string(partition); }
  auto operator<=>(const TopicPartition&) const = default;

  // Topic names may hold '-': the partition is what follows the last one.
  static std::optional<TopicPartition> parse(std::string_view shard_id) {
    auto dash = shard_id.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == shard_id.size()) return {};
    int32_t partition = 0;
    auto digits = shard_id.substr(dash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
    if (ec != std::errc() || end != digits.data() + digits.size() || partition < 0) return {};
    return TopicPartition{std::string(shard_id.substr(0, dash)), partition};
  }
};

}  // namespace shardpipe::kafka
