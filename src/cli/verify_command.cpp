// `shardpipe verify PIPE [--json]`: is every record up to each checkpoint in the file target or the
// dead letters, or filtered out, exactly once? (docs/operations.md, "Verifying a pipe's output")
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/pipe_loading.hpp"
#include "coordination/checkpoint_store.hpp"
#include "sources/source_factory.hpp"
#include "verify/pipe_verifier.hpp"
#include "verify/verify_report.hpp"

namespace shardpipe::cli {

namespace checks = shardpipe::verify;

int verify(const std::string& pipe_file, bool json) {
  auto pipe = load_pipe(pipe_file);
  if (!pipe) return exit_usage;
  if (auto reason = checks::unverifiable_reason(*pipe)) {
    fmt::print(stderr, "{}: error: {}\n", pipe->file.string(), *reason);
    return exit_usage;
  }
  auto source = make_source(pipe->source);
  if (!source) {
    // A source kind this build does not have: the pipe file must change, not the machine.
    fmt::print(stderr, "{}: error: {}\n", pipe->file.string(), source.error().message);
    return exit_usage;
  }
  auto store = open_pipe_checkpoints(*pipe);
  if (!store) {
    fmt::print(stderr, "error: {}\n", store.error().message);
    return exit_failure;
  }
  auto report = checks::verify_pipe(*pipe, **source, **store);
  if (!report) {
    fmt::print(stderr, "error: {}\n", report.error().message);
    return exit_failure;
  }
  if (json) {
    fmt::print("{}\n", checks::report_json(*report));
  } else {
    fmt::print("{}", checks::report_text(*report));
  }
  return checks::verdict_of(*report) == checks::Verdict::failed ? exit_failure : exit_ok;
}

}  // namespace shardpipe::cli
