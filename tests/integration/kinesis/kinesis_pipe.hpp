// A pipe from a kinesalite stream into a file target, as the Kinesis tests write it.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "process.hpp"

namespace shardpipe::testing {

struct KinesisPipeOptions {
  std::string endpoint;
  std::string stream = "orders";
  std::string extra_source;  // more lines of the source section, indented by two spaces
  int records_per_file = 500;
};

inline std::filesystem::path write_kinesis_pipe(const std::filesystem::path& dir,
                                                const KinesisPipeOptions& options) {
  auto file = dir / "pipe.yaml";
  write_file(file, fmt::format(R"(name: kinesis-test
source:
  type: kinesis
  stream: {}
  endpoint: {}
  batch_size: 500
{}target:
  type: file
  path: ./out
  records_per_file: {}
retry: {{backoff_initial: 50ms, backoff_max: 1s}}
checkpoint:
  lease_duration: 3s
)",
                               options.stream, options.endpoint, options.extra_source,
                               options.records_per_file));
  return file;
}

}  // namespace shardpipe::testing
