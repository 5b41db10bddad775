// `shardpipe metrics reference`: the metric catalog as Markdown, printed or written into the
// generated region of a document (docs/monitoring.md).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "cli/commands.hpp"
#include "pipeline/metric_catalog.hpp"

namespace shardpipe::cli {

int metrics_reference(const std::string& update_file) {
  std::string reference = metrics_reference_markdown();
  if (update_file.empty()) {
    fmt::print("{}", reference);
    return exit_ok;
  }
  std::ifstream in(update_file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "error: cannot read {}\n", update_file);
    return exit_failure;
  }
  std::ostringstream text;
  text << in.rdbuf();
  in.close();
  auto updated = replace_generated_metrics_region(text.str(), reference);
  if (!updated) {
    fmt::print(stderr, "error: {} has no region between '{}' and '{}'\n", update_file,
               metrics_reference_begin, metrics_reference_end);
    return exit_usage;
  }
  if (*updated == text.str()) return exit_ok;
  // Written beside the document and renamed over it, so a failed write leaves it whole.
  std::filesystem::path temporary = update_file + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << *updated;
    out.close();
    if (!out) {
      fmt::print(stderr, "error: cannot write {}\n", temporary.string());
      return exit_failure;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, update_file, error);
  if (error) {
    fmt::print(stderr, "error: cannot replace {}: {}\n", update_file, error.message());
    std::filesystem::remove(temporary, error);
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace shardpipe::cli
