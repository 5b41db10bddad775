// log.json: loading, saving and the ListShards description.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>

#include "sources/local/io.hpp"
#include "sources/local/layout_store.hpp"
#include "sources/local/paths.hpp"

namespace shardpipe::local {
namespace {

using Json = nlohmann::ordered_json;

constexpr int layout_format = 1;

Json optional_string(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json shard_to_json(const ShardMeta& shard) {
  return Json{
      {"shardId", shard.shard_id},
      {"parentShardId", optional_string(shard.parent_shard_id)},
      {"adjacentParentShardId", optional_string(shard.adjacent_parent_shard_id)},
      {"hashKeyRange",
       {{"startingHashKey", to_decimal(shard.hash_key_range.starting_hash_key)},
        {"endingHashKey", to_decimal(shard.hash_key_range.ending_hash_key)}}},
      {"sequenceNumberRange",
       {{"startingSequenceNumber", std::to_string(shard.starting_sequence)},
        {"endingSequenceNumber",
         shard.ending_sequence ? Json(std::to_string(*shard.ending_sequence)) : Json(nullptr)}}},
      {"state", shard.open() ? "open" : "closed"},
  };
}

Json shards_to_json(const std::vector<ShardMeta>& shards) {
  Json list = Json::array();
  for (const auto& shard : shards) {
    list.push_back(shard_to_json(shard));
  }
  return list;
}

// Parsing errors carry a short reason; read_layout adds the file name.
struct LayoutFormatError {
  std::string reason;
};

const Json& field(const Json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) {
    throw LayoutFormatError{std::string("missing \"") + name + "\""};
  }
  return object.at(name);
}

std::string string_field(const Json& object, const char* name) {
  const Json& value = field(object, name);
  if (!value.is_string()) {
    throw LayoutFormatError{std::string("\"") + name + "\" is not a string"};
  }
  return value.get<std::string>();
}

std::optional<std::string> optional_string_field(const Json& object, const char* name) {
  const Json& value = field(object, name);
  if (value.is_null()) {
    return std::nullopt;
  }
  if (!value.is_string()) {
    throw LayoutFormatError{std::string("\"") + name + "\" is not a string or null"};
  }
  return value.get<std::string>();
}

uint128 hash_key_field(const Json& object, const char* name) {
  auto value = parse_uint128(string_field(object, name));
  if (!value) {
    throw LayoutFormatError{std::string("\"") + name + "\" is not a 128-bit decimal number"};
  }
  return *value;
}

uint64_t sequence_from(const std::string& text, const char* name) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw LayoutFormatError{std::string("\"") + name + "\" is not a 64-bit decimal number"};
  }
  return value;
}

ShardMeta shard_from_json(const Json& entry) {
  ShardMeta shard;
  shard.shard_id = string_field(entry, "shardId");
  if (!detail::shard_number(shard.shard_id)) {
    throw LayoutFormatError{"bad shardId \"" + shard.shard_id + "\""};
  }
  shard.parent_shard_id = optional_string_field(entry, "parentShardId");
  shard.adjacent_parent_shard_id = optional_string_field(entry, "adjacentParentShardId");
  const Json& range = field(entry, "hashKeyRange");
  shard.hash_key_range = {hash_key_field(range, "startingHashKey"),
                          hash_key_field(range, "endingHashKey")};
  if (shard.hash_key_range.starting_hash_key > shard.hash_key_range.ending_hash_key) {
    throw LayoutFormatError{shard.shard_id + " has an empty hash-key range"};
  }
  const Json& sequences = field(entry, "sequenceNumberRange");
  shard.starting_sequence =
      sequence_from(string_field(sequences, "startingSequenceNumber"), "startingSequenceNumber");
  if (auto ending = optional_string_field(sequences, "endingSequenceNumber")) {
    shard.ending_sequence = sequence_from(*ending, "endingSequenceNumber");
  }
  return shard;
}

detail::StoredLayout parse_layout(std::string_view text) {
  Json root = Json::parse(text);
  detail::StoredLayout stored;
  const Json& format = field(root, "format");
  if (!format.is_number_integer() || format.get<int>() != layout_format) {
    throw LayoutFormatError{"unsupported format (this build reads format " +
                            std::to_string(layout_format) + ")"};
  }
  const Json& generation = field(root, "generation");
  if (!generation.is_number_unsigned()) {
    throw LayoutFormatError{"\"generation\" is not a number"};
  }
  stored.generation = generation.get<uint64_t>();
  const Json& shards = field(root, "shards");
  if (!shards.is_array()) {
    throw LayoutFormatError{"\"shards\" is not an array"};
  }
  for (const auto& entry : shards) {
    stored.layout.shards_.push_back(shard_from_json(entry));
  }
  return stored;
}

std::string read_all(int fd, const std::filesystem::path& path) {
  std::string text(detail::file_size(fd, path), '\0');
  text.resize(detail::pread_full(fd, text.data(), text.size(), 0, path));
  return text;
}

detail::StoredLayout read_layout_from(int fd, const std::filesystem::path& path) {
  std::string text = read_all(fd, path);
  try {
    return parse_layout(text);
  } catch (const LayoutFormatError& error) {
    throw LogError(LogErrorCode::corrupt, "cannot read " + path.string() + ": " + error.reason);
  } catch (const Json::exception& error) {
    throw LogError(LogErrorCode::corrupt, "cannot read " + path.string() + ": " + error.what());
  }
}

detail::UniqueFd open_layout(const std::filesystem::path& dir) {
  auto path = detail::layout_path(dir);
  detail::UniqueFd fd = detail::open_existing_file(path, O_RDONLY);
  if (!fd) {
    throw LogError(LogErrorCode::not_found, detail::log_not_found_message(dir));
  }
  return fd;
}

}  // namespace

LogLayout LogLayout::load(const std::filesystem::path& dir) {
  return detail::read_layout(dir).layout;
}

const ShardMeta* LogLayout::find(std::string_view shard_id) const {
  auto found = std::ranges::find(shards_, shard_id, &ShardMeta::shard_id);
  return found == shards_.end() ? nullptr : &*found;
}

std::string LogLayout::describe_json() const {
  return Json{{"shards", shards_to_json(shards_)}}.dump(2);
}

namespace detail {

StoredLayout read_layout(const std::filesystem::path& dir) {
  UniqueFd fd = open_layout(dir);
  return read_layout_from(fd.get(), layout_path(dir));
}

void write_layout(const std::filesystem::path& dir, const StoredLayout& stored) {
  Json root{{"format", layout_format},
            {"generation", stored.generation},
            {"shards", shards_to_json(stored.layout.shards_)}};
  replace_file_atomically(layout_path(dir), root.dump(2) + "\n");
}

uint64_t next_shard_number(const LogLayout& layout) {
  uint64_t next = 0;
  for (const auto& shard : layout.shards_) {
    next = std::max(next, *shard_number(shard.shard_id) + 1);
  }
  return next;
}

LayoutWatcher::LayoutWatcher(std::filesystem::path dir) : dir_(std::move(dir)) {
  refresh();
}

bool LayoutWatcher::refresh() {
  auto path = layout_path(dir_);
  auto identity_of = [](const struct stat& info) {
    return FileIdentity{info.st_dev, info.st_ino, info.st_size,
                        int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec};
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      throw LogError(LogErrorCode::not_found, log_not_found_message(dir_));
    }
    throw_io_error("cannot stat", path, errno);
  }
  if (identity_of(info) == identity_) {
    return false;
  }
  // Identity and contents from the same open file, so a replacement in between is seen next time.
  UniqueFd fd = open_layout(dir_);
  if (::fstat(fd.get(), &info) != 0) {
    throw_io_error("cannot stat", path, errno);
  }
  stored_ = read_layout_from(fd.get(), path);
  identity_ = identity_of(info);
  return true;
}

}  // namespace detail
}  // namespace shardpipe::local
