// Pipes from the local log into the postgres target, for the tests of this folder.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "process.hpp"

namespace shardpipe::testing {

inline const std::string binary = SHARDPIPE_BINARY;

struct PostgresPipe {
  std::string dsn;
  std::string table = "events";
  std::string mode = "insert";
  int batch_size = 25;
  std::string extra;  // more top-level sections, e.g. a dead_letter
};

// Writes `dir`/pipe.yaml for a pipe reading the local log `dir`/log with JSON data; returns its
// path. Short backoffs, so a test sees a recovery within a second or so.
inline std::filesystem::path write_postgres_pipe(const std::filesystem::path& dir,
                                                 const PostgresPipe& pipe) {
  auto file = dir / "pipe.yaml";
  write_file(file, fmt::format(R"(name: pg-test
source:
  type: local
  path: ./log
  data_encoding: json
  on_decode_error: fail
  batch_size: {}
target:
  type: postgres
  dsn: "{}"
  table: "{}"
  mode: {}
retry:
  backoff_initial: 50ms
  backoff_max: 500ms
checkpoint:
  lease_duration: 2s
metrics:
  listen: "off"
shutdown_timeout: 10s
{})",
                               pipe.batch_size, pipe.dsn, pipe.table, pipe.mode, pipe.extra));
  return file;
}

}  // namespace shardpipe::testing
