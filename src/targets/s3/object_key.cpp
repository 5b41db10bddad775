#include "targets/s3/object_key.hpp"

#include "targets/unit_name.hpp"

namespace shardpipe::s3 {

std::string object_key(const std::string& prefix, const std::string& shard_id,
                       const std::string& first_sequence, Compression compression) {
  std::string key = prefix;
  key += shard_id;
  key += '/';
  key += unit_name_stem(first_sequence);
  key += object_suffix(compression);
  return key;
}

}  // namespace shardpipe::s3
