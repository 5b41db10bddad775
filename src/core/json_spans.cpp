#include "core/json_spans.hpp"

namespace shardpipe {
namespace {

// A scan over valid JSON text: no validation, just where each value starts and ends.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return at_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[at_]; }
  size_t position() const { return at_; }
  void advance() { ++at_; }

  void skip_space() {
    while (!at_end() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  // At an opening quote: the string's raw contents (escapes left as they are); after it.
  std::string_view string() {
    size_t start = ++at_;
    while (!at_end() && text_[at_] != '"') at_ += text_[at_] == '\\' ? 2 : 1;
    std::string_view contents = text_.substr(start, at_ - start);
    ++at_;
    return contents;
  }

  // At any value: just after it.
  void skip_value() {
    char first = peek();
    if (first == '"') {
      string();
      return;
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      while (!at_end()) {
        char c = text_[at_];
        if (c == '"') {
          string();
          continue;
        }
        ++at_;
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) return;
      }
      return;
    }
    while (!at_end() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ']' &&
           text_[at_] != ' ' && text_[at_] != '\n' && text_[at_] != '\r' && text_[at_] != '\t') {
      ++at_;
    }
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

std::vector<std::string_view> elements(Scanner& scan, std::string_view document) {
  std::vector<std::string_view> found;
  scan.advance();  // [
  while (true) {
    scan.skip_space();
    if (scan.peek() == ']' || scan.at_end()) return found;
    size_t start = scan.position();
    scan.skip_value();
    found.push_back(document.substr(start, scan.position() - start));
    scan.skip_space();
    if (scan.peek() == ',') scan.advance();
  }
}

}  // namespace

std::optional<std::string_view> top_level_member(std::string_view document, std::string_view name) {
  Scanner scan(document);
  scan.skip_space();
  if (scan.peek() != '{') return std::nullopt;
  scan.advance();
  while (true) {
    scan.skip_space();
    if (scan.peek() != '"') return std::nullopt;  // '}' or the end: no such member
    std::string_view key = scan.string();
    scan.skip_space();
    if (scan.peek() != ':') return std::nullopt;
    scan.advance();
    scan.skip_space();
    size_t start = scan.position();
    scan.skip_value();
    if (key == name) return document.substr(start, scan.position() - start);
    scan.skip_space();
    if (scan.peek() != ',') return std::nullopt;
    scan.advance();
  }
}

std::optional<std::vector<std::string_view>> array_member_elements(std::string_view document,
                                                                   std::string_view name) {
  auto array = top_level_member(document, name);
  if (!array || !array->starts_with('[')) return std::nullopt;
  Scanner scan(*array);
  return elements(scan, *array);
}

}  // namespace shardpipe
