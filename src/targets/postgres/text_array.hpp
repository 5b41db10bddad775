// A one-dimensional text[] in PostgreSQL's binary wire format, built for one statement parameter.
// A batch goes to the server as a few such arrays expanded by unnest(): one statement, one round
// trip, and no quoting or escaping of the JSON inside.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shardpipe::postgres_target {

constexpr unsigned text_oid = 25;
constexpr unsigned text_array_oid = 1009;

class TextArray {
 public:
  TextArray();
  void reserve(size_t elements, size_t bytes);
  void add(std::string_view element);
  void add_null();
  size_t size() const { return count_; }
  // The finished parameter value; valid until the next add.
  const std::string& bytes();

 private:
  std::string buffer_;  // header (filled in by bytes()) followed by the elements
  int32_t count_ = 0;
  bool has_null_ = false;
};

}  // namespace shardpipe::postgres_target
