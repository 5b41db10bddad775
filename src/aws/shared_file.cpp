#include "aws/shared_file.hpp"

#include <fmt/format.h>

#include <optional>

#include "core/ascii_case.hpp"

namespace shardpipe::aws {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (blank(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

size_t indentation(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && blank(line[n])) ++n;
  return n;
}

std::string collapse_blanks(std::string_view text) {
  std::string out;
  bool pending = false;
  for (char c : trim(text)) {
    if (blank(c)) {
      pending = true;
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

}  // namespace

Result<SharedFile> parse_shared_file(std::string_view text) {
  SharedFile file;
  SharedSection* section = nullptr;
  // The indentation of the last key, while lines indented deeper still belong to it.
  std::optional<size_t> key_indentation;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    ++number;

    const auto content = trim(line);
    if (content.empty() || content.front() == '#' || content.front() == ';') continue;
    const size_t indent = indentation(line);
    if (key_indentation && indent > *key_indentation) continue;  // nested under the last key
    key_indentation.reset();

    if (content.front() == '[') {
      // Like the CLI's parser, text after the last ']' is ignored.
      const size_t close = content.rfind(']');
      if (close == std::string_view::npos) {
        return fail(Error::fatal(fmt::format("line {}: a section header without ']'", number)));
      }
      section = &file[collapse_blanks(content.substr(1, close - 1))];
      continue;
    }
    const size_t equals = content.find_first_of("=:");
    if (equals == std::string_view::npos || equals == 0) {
      return fail(Error::fatal(
          fmt::format("line {}: neither a [section], a comment nor 'name = value'", number)));
    }
    if (section == nullptr) {
      return fail(Error::fatal(fmt::format("line {}: a key before any [section]", number)));
    }
    (*section)[ascii_lowered(trim(content.substr(0, equals)))] =
        std::string(trim(content.substr(equals + 1)));
    key_indentation = indent;
  }
  return file;
}

}  // namespace shardpipe::aws
