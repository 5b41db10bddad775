#include "config/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/diagnostics.hpp"
#include "config/finalize.hpp"
#include "config/pipe_reader.hpp"
#include "config/seen_keys.hpp"
#include "config/yaml_guard.hpp"

namespace shardpipe::config {
namespace {

// yaml-cpp names what it expected; add what to change for the mistakes people make most.
std::string syntax_error_message(const std::string& yaml_message) {
  struct Hint {
    std::string_view yaml_message;
    std::string_view what_to_change;
  };
  static constexpr Hint kHints[] = {
      {"end of sequence flow not found", "close the list with ']'"},
      {"end of map flow not found", "close the mapping with '}'"},
      {"illegal flow end", "close every '[' with ']' and every '{' with '}'"},
      {"end of sequence not found", "check the indentation of the list"},
      {"end of map not found", "check the indentation"},
      {"illegal map value", "check the indentation, or quote a value that holds ': '"},
      {"illegal EOF in scalar", "close the quoted string"},
  };
  std::string message = "invalid YAML: " + yaml_message;
  for (const Hint& hint : kHints) {
    if (hint.yaml_message == yaml_message) message += "; " + std::string(hint.what_to_change);
  }
  return message;
}

// The one YAML document of the pipe file, as a mapping; nullopt after reporting why not.
std::optional<YAML::Node> parse_document(std::string_view text, Diagnostics& diagnostics) {
  if (std::optional<Problem> hang = find_unreadable_document_start(text)) {
    diagnostics.error(std::move(*hang));
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {  // syntax errors, and nesting too deep
    diagnostics.error(error.mark, syntax_error_message(error.msg));
    return std::nullopt;
  }
  if (documents.empty() || documents.front().IsNull()) {
    diagnostics.error(YAML::Mark(),
                      "the pipe file is empty; it needs at least name, source and "
                      "target");
    return std::nullopt;
  }
  for (size_t i = 1; i < documents.size(); ++i) {
    if (!documents[i].IsNull()) {
      diagnostics.error(documents[i].Mark(),
                        "a second YAML document starts here; a pipe file "
                        "holds one, so remove the '---' and what follows");
    }
  }
  const YAML::Node& root = documents.front();
  if (!root.IsMap()) {
    diagnostics.error(root.Mark(),
                      "the pipe file must be a mapping of keys such as name, source "
                      "and target, got " +
                          std::string(root.IsSequence() ? "a list" : "a scalar"));
    return std::nullopt;
  }
  return root;
}

LoadResult failure(const std::filesystem::path& file, const std::string& message) {
  return {std::nullopt, {{file.string(), 1, 1, message}}};
}

}  // namespace

LoadResult load_pipe_file(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    return failure(file, "this is a folder; name the pipe file (a .yaml file) instead");
  }
  const std::string cannot_read = "cannot read the pipe file: ";
  std::ifstream in(file, std::ios::binary);
  if (!in) return failure(file, cannot_read + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return failure(file, cannot_read + std::strerror(errno));
  return load_pipe_text(text.str(), file);
}

LoadResult load_pipe_text(std::string_view yaml,
                          const std::filesystem::path& file_name_for_errors) {
  Diagnostics diagnostics(file_name_for_errors.string());
  std::optional<YAML::Node> root = parse_document(yaml, diagnostics);
  if (!root) return {std::nullopt, diagnostics.take_sorted()};

  PipeConfig config;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(file_name_for_errors, error);
  config.file = (error ? file_name_for_errors : absolute).lexically_normal();
  config.base_dir = config.file.parent_path();

  SeenKeys seen;
  read_pipe(*root, config, seen, diagnostics);
  finalize(config, seen, diagnostics);
  if (diagnostics.has_errors()) return {std::nullopt, diagnostics.take_sorted()};
  return {std::move(config), {}};
}

std::string format_error(const ConfigError& error) {
  return error.file + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) +
         ": error: " + error.message;
}

}  // namespace shardpipe::config
