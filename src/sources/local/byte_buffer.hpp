// A growable byte buffer that does not zero what it is about to overwrite.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>

namespace shardpipe::local::detail {

class ByteBuffer {
 public:
  char* data() { return bytes_.get(); }
  const char* data() const { return bytes_.get(); }
  size_t capacity() const { return capacity_; }

  // Makes room for `size` bytes; the contents are lost when it grows.
  void reserve_discarding(size_t size) {
    if (size <= capacity_) {
      return;
    }
    capacity_ = std::max(size, capacity_ * 2);
    bytes_ = std::make_unique_for_overwrite<char[]>(capacity_);
  }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t capacity_ = 0;
};

}  // namespace shardpipe::local::detail
