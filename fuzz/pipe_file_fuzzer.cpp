// The pipe-file loader (src/config): the input is loaded as the text of a pipe file and as a
// file on disk. Invalid input must give errors with a position and a message, never a crash;
// both ways of loading must agree.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/loader.hpp"

namespace {

namespace fs = std::filesystem;
using shardpipe::config::LoadResult;

struct Folder {
  fs::path root;
  Folder() {
    std::string pattern = (fs::temp_directory_path() / "shardpipe-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    root = pattern;
  }
  ~Folder() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
};

void check(const LoadResult& result, const std::string& file) {
  if (result.config.has_value() == !result.errors.empty()) std::abort();
  for (const auto& error : result.errors) {
    if (error.file != file || error.line < 1 || error.column < 1 || error.message.empty()) {
      std::abort();
    }
    if (shardpipe::config::format_error(error).empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Folder folder;
  static const fs::path file = folder.root / "pipe.yaml";
  std::string_view text(reinterpret_cast<const char*>(data), size);

  LoadResult from_text = shardpipe::config::load_pipe_text(text, file);
  check(from_text, file.string());

  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) std::abort();
  }
  LoadResult from_file = shardpipe::config::load_pipe_file(file);
  check(from_file, file.string());
  if (from_file.config.has_value() != from_text.config.has_value() ||
      from_file.errors.size() != from_text.errors.size()) {
    std::abort();
  }
  for (size_t i = 0; i < from_text.errors.size(); ++i) {
    const auto& a = from_text.errors[i];
    const auto& b = from_file.errors[i];
    if (a.line != b.line || a.column != b.column || a.message != b.message) std::abort();
  }
  return 0;
}
