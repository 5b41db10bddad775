#include "sources/local/sequence_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "sources/local/paths.hpp"

namespace shardpipe::local::detail {
namespace {

constexpr size_t line_bytes = 20 + 1 + 20 + 1 + 5 + 1;

template <typename T>
std::optional<T> parse_number(std::string_view digits) {
  T value{};
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

SequenceFile::SequenceFile(const std::filesystem::path& dir) : path_(sequence_path(dir)) {}

std::optional<SequenceState> SequenceFile::read() {
  if (!fd_) {
    fd_ = open_file(path_, O_RDWR | O_CREAT);
  }
  char line[line_bytes];
  if (pread_full(fd_.get(), line, line_bytes, 0, path_) != line_bytes) {
    return std::nullopt;
  }
  std::string_view text(line, line_bytes);
  if (text[20] != ' ' || text[41] != ' ' || text.back() != '\n') {
    return std::nullopt;
  }
  auto next = parse_number<uint64_t>(text.substr(0, 20));
  auto arrival = parse_number<int64_t>(text.substr(21, 20));
  std::string_view state = text.substr(42, 5);
  if (!next || !arrival || (state != "clean" && state != "dirty")) {
    return std::nullopt;
  }
  return SequenceState{*next, *arrival, state == "clean"};
}

void SequenceFile::write(const SequenceState& state) {
  if (!fd_) {
    fd_ = open_file(path_, O_RDWR | O_CREAT);
  }
  std::string line =
      fmt::format("{:020} {:020} {}\n", state.next_sequence,
                  std::max<int64_t>(state.last_arrival_us, 0), state.clean ? "clean" : "dirty");
  pwrite_all(fd_.get(), line.data(), line.size(), 0, path_);
  if (file_size(fd_.get(), path_) != line.size()) {
    truncate_file(fd_.get(), line.size(), path_);
  }
}

}  // namespace shardpipe::local::detail
