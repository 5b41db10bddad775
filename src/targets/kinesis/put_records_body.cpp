#include "targets/kinesis/put_records_body.hpp"

#include "core/json_text.hpp"

namespace shardpipe::kinesis_target {

std::string put_records_body(std::string_view stream_name, std::span<const PutEntry> entries) {
  size_t size = 64 + stream_name.size();
  for (const auto& entry : entries) {
    size += 40 + (entry.data.size() + 2) / 3 * 4 + 2 * entry.partition_key.size();
  }
  std::string body;
  body.reserve(size);
  body += R"({"StreamName":)";
  append_json_string(body, stream_name);
  body += R"(,"Records":[)";
  bool first = true;
  for (const auto& entry : entries) {
    if (!first) body += ',';
    first = false;
    body += R"({"Data":")";
    append_base64(body, entry.data);
    body += R"(","PartitionKey":)";
    append_json_string(body, entry.partition_key);
    body += '}';
  }
  body += "]}";
  return body;
}

}  // namespace shardpipe::kinesis_target
