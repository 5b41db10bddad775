// KPL de-aggregation (src/sources/kinesis/kpl_aggregate.*): the input is read both as a Kinesis
// record's data and as the protobuf of an aggregate (magic and a matching MD5 added around it),
// since an MD5 that must match would otherwise keep the parser out of reach.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sources/kinesis/kpl_aggregate.hpp"

namespace {

// Every user record must be a view inside the data it came from.
void check(std::string_view data) {
  auto users = shardpipe::kinesis::deaggregate_kpl(data);
  if (!users) return;
  auto inside = [&](std::string_view part) {
    return part.empty() ||
           (part.data() >= data.data() && part.data() + part.size() <= data.data() + data.size());
  };
  for (const auto& user : *users) {
    if (!inside(user.partition_key) || !inside(user.data)) std::abort();
  }
  // Deterministic: the same bytes, the same records.
  auto again = shardpipe::kinesis::deaggregate_kpl(data);
  if (!again || again->size() != users->size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(bytes), size);
  check(input);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(bytes, size, digest, &digest_size, EVP_md5(), nullptr);
  std::string aggregate("\xF3\x89\x9A\xC2", 4);
  aggregate.append(input);
  aggregate.append(reinterpret_cast<const char*>(digest), digest_size);
  check(aggregate);
  return 0;
}
