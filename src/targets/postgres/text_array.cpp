#include "targets/postgres/text_array.hpp"

namespace shardpipe::postgres_target {
namespace {

// ndim, has-null flag, element type, then (size, lower bound) for the one dimension.
constexpr size_t header_bytes = 5 * 4;

void put_int32(char* at, uint32_t value) {
  at[0] = static_cast<char>(value >> 24);
  at[1] = static_cast<char>(value >> 16);
  at[2] = static_cast<char>(value >> 8);
  at[3] = static_cast<char>(value);
}

void append_int32(std::string& out, uint32_t value) {
  char bytes[4];
  put_int32(bytes, value);
  out.append(bytes, 4);
}

}  // namespace

TextArray::TextArray() : buffer_(header_bytes, '\0') {}

void TextArray::reserve(size_t elements, size_t bytes) {
  buffer_.reserve(header_bytes + elements * 4 + bytes);
}

void TextArray::add(std::string_view element) {
  append_int32(buffer_, static_cast<uint32_t>(element.size()));
  buffer_.append(element);
  ++count_;
}

void TextArray::add_null() {
  append_int32(buffer_, static_cast<uint32_t>(-1));
  has_null_ = true;
  ++count_;
}

const std::string& TextArray::bytes() {
  // An empty array has no dimensions at all, so no size and lower bound either.
  static const std::string empty = [] {
    std::string bytes;
    append_int32(bytes, 0);
    append_int32(bytes, 0);
    append_int32(bytes, text_oid);
    return bytes;
  }();
  if (count_ == 0) return empty;
  char* header = buffer_.data();
  put_int32(header, 1);
  put_int32(header + 4, has_null_ ? 1 : 0);
  put_int32(header + 8, text_oid);
  put_int32(header + 12, static_cast<uint32_t>(count_));
  put_int32(header + 16, 1);
  return buffer_;
}

}  // namespace shardpipe::postgres_target
