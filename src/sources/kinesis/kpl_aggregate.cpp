#include "sources/kinesis/kpl_aggregate.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

namespace shardpipe::kinesis {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr std::string_view kpl_magic("\xF3\x89\x9A\xC2", 4);
constexpr size_t md5_size = 16;

// The tags of the fields read (proto2; every other field is skipped, as protobuf does with
// unknown fields and with known numbers of an unexpected wire type).
constexpr uint32_t tag_of(int number, WireFormatLite::WireType type) {
  return static_cast<uint32_t>(number << 3) | type;
}
constexpr auto delimited = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
constexpr auto varint = WireFormatLite::WIRETYPE_VARINT;
// AggregatedRecord
constexpr uint32_t partition_key_table_tag = tag_of(1, delimited);
constexpr uint32_t explicit_hash_key_table_tag = tag_of(2, delimited);
constexpr uint32_t records_tag = tag_of(3, delimited);
// Record
constexpr uint32_t partition_key_index_tag = tag_of(1, varint);
constexpr uint32_t explicit_hash_key_index_tag = tag_of(2, varint);
constexpr uint32_t data_tag = tag_of(3, delimited);
constexpr uint32_t tags_tag = tag_of(4, delimited);
// Tag
constexpr uint32_t tag_key_tag = tag_of(1, delimited);

bool md5_matches(std::string_view message, std::string_view digest) {
  unsigned char computed[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(message.data(), message.size(), computed, &size, EVP_md5(), nullptr) != 1) {
    return false;
  }
  return size == digest.size() && std::memcmp(computed, digest.data(), size) == 0;
}

struct ParsedRecord {
  std::optional<uint64_t> partition_key_index;  // required
  std::optional<uint64_t> explicit_hash_key_index;
  std::optional<std::string_view> data;  // required
};

// Reads one protobuf message: strings and bytes come back as views into it, not copies.
class MessageReader {
 public:
  explicit MessageReader(std::string_view bytes)
      : bytes_(bytes),
        input_(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size())) {
    input_.PushLimit(static_cast<int>(bytes.size()));
  }

  // Calls `on_field(tag)` for every field up to the end of the current (embedded) message;
  // false when a tag is malformed or `on_field` fails.
  template <typename OnField>
  bool fields(OnField on_field) {
    while (input_.BytesUntilLimit() > 0) {
      uint32_t tag = input_.ReadTag();
      if (tag == 0 || !on_field(tag)) return false;
    }
    return true;
  }

  // An embedded message, its fields read by `parse` (which calls fields()). Its length is
  // checked against what is left: a limit pushed past the enclosing one would be cut to it
  // silently, and a truncated message accepted.
  template <typename Parse>
  bool embedded(Parse parse) {
    uint32_t length = 0;
    if (!input_.ReadVarint32(&length) ||
        length > static_cast<uint32_t>(std::max(input_.BytesUntilLimit(), 0))) {
      return false;
    }
    auto limit = input_.PushLimit(static_cast<int>(length));
    bool ok = parse();
    input_.PopLimit(limit);
    return ok;
  }

  bool bytes(std::string_view& out) {
    uint32_t length = 0;
    if (!input_.ReadVarint32(&length) || length > static_cast<uint32_t>(INT_MAX)) return false;
    auto at = static_cast<size_t>(input_.CurrentPosition());
    if (!input_.Skip(static_cast<int>(length))) return false;
    out = bytes_.substr(at, length);
    return true;
  }

  bool varint(std::optional<uint64_t>& out) {
    uint64_t value = 0;
    if (!input_.ReadVarint64(&value)) return false;
    out = value;
    return true;
  }

  bool skip(uint32_t tag) { return WireFormatLite::SkipField(&input_, tag); }

 private:
  std::string_view bytes_;
  CodedInputStream input_;
};

// Tag { required string key = 1; optional string value = 2; }: only checked, as the KCL's parser
// would.
bool parse_tag(MessageReader& reader) {
  bool has_key = false;
  bool ok = reader.fields([&](uint32_t tag) {
    if (tag != tag_key_tag) return reader.skip(tag);
    std::string_view key;
    has_key = true;
    return reader.bytes(key);
  });
  return ok && has_key;
}

bool parse_record(MessageReader& reader, ParsedRecord& record) {
  bool ok = reader.fields([&](uint32_t tag) {
    switch (tag) {
      case partition_key_index_tag:
        return reader.varint(record.partition_key_index);
      case explicit_hash_key_index_tag:
        return reader.varint(record.explicit_hash_key_index);
      case data_tag: {
        std::string_view data;
        if (!reader.bytes(data)) return false;
        record.data = data;
        return true;
      }
      case tags_tag:
        return reader.embedded([&] { return parse_tag(reader); });
      default:
        return reader.skip(tag);
    }
  });
  return ok && record.partition_key_index && record.data;
}

}  // namespace

std::optional<std::vector<KplUserRecord>> deaggregate_kpl(std::string_view data) {
  // Most records are not aggregates: the magic decides before anything is hashed. Like the
  // KCL, an aggregate holds at least one byte of protobuf.
  if (data.size() <= kpl_magic.size() + md5_size || !data.starts_with(kpl_magic)) {
    return std::nullopt;
  }
  std::string_view message =
      data.substr(kpl_magic.size(), data.size() - kpl_magic.size() - md5_size);
  if (message.size() > static_cast<size_t>(INT_MAX) ||
      !md5_matches(message, data.substr(data.size() - md5_size))) {
    return std::nullopt;
  }

  MessageReader reader(message);
  std::vector<std::string_view> partition_keys;
  size_t explicit_hash_keys = 0;
  std::vector<ParsedRecord> records;
  bool ok = reader.fields([&](uint32_t tag) {
    std::string_view text;
    switch (tag) {
      case partition_key_table_tag:
        if (!reader.bytes(text)) return false;
        partition_keys.push_back(text);
        return true;
      case explicit_hash_key_table_tag:
        ++explicit_hash_keys;
        return reader.bytes(text);
      case records_tag:
        records.emplace_back();
        return reader.embedded([&] { return parse_record(reader, records.back()); });
      default:
        return reader.skip(tag);
    }
  });
  if (!ok) return std::nullopt;

  // The tables may follow the records in the bytes: indices are resolved once all is read.
  std::vector<KplUserRecord> users;
  users.reserve(records.size());
  for (const auto& record : records) {
    if (*record.partition_key_index >= partition_keys.size()) return std::nullopt;
    if (record.explicit_hash_key_index && *record.explicit_hash_key_index >= explicit_hash_keys) {
      return std::nullopt;
    }
    users.push_back({partition_keys[*record.partition_key_index], *record.data});
  }
  return users;
}

}  // namespace shardpipe::kinesis
