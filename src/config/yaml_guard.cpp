#include "config/yaml_guard.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>

namespace shardpipe::config {
namespace {

// Parsing events without building nodes: only where each document starts matters here.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark last;
};

bool same_place(const YAML::Mark& a, const YAML::Mark& b) {
  return a.pos == b.pos && a.line == b.line && a.column == b.column;
}

std::string message_at(std::string_view yaml, const YAML::Mark& mark) {
  bool comma = mark.pos >= 0 && static_cast<size_t>(mark.pos) < yaml.size() &&
               yaml[static_cast<size_t>(mark.pos)] == ',';
  if (comma) {
    return "invalid YAML: a ',' cannot start a value; outside [ ] and { } a comma belongs inside "
           "text, so remove it, or quote the text that starts with it";
  }
  return "invalid YAML: no value can start with what is here";
}

}  // namespace

std::optional<Problem> find_unreadable_document_start(std::string_view yaml) {
  std::istringstream stream{std::string(yaml)};
  YAML::Parser parser(stream);
  DocumentStarts starts;
  std::optional<YAML::Mark> previous;
  try {
    while (parser.HandleNextDocument(starts)) {
      // A document that read nothing leaves the parser where it was, so every next one would too.
      if (previous && same_place(*previous, starts.last)) {
        return Problem{starts.last, message_at(yaml, starts.last)};
      }
      previous = starts.last;
    }
  } catch (const YAML::Exception&) {
    // A syntax error: the loader meets it again and reports it.
  }
  return std::nullopt;
}

}  // namespace shardpipe::config
