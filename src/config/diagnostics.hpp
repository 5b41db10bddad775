// Collects every configuration error with its position, so that one run reports all of them.
#pragma once

#include <yaml-cpp/mark.h>

#include <string>
#include <vector>

#include "config/loader.hpp"

namespace shardpipe::config {

// One problem found while reading a value, at a position of yaml-cpp (0-based).
struct Problem {
  YAML::Mark mark;
  std::string message;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file_name) : file_name_(std::move(file_name)) {}

  void error(const YAML::Mark& mark, std::string message);
  void error(Problem problem) { error(problem.mark, std::move(problem.message)); }
  bool has_errors() const { return !errors_.empty(); }
  // The errors in the order of their position in the file.
  std::vector<ConfigError> take_sorted();

 private:
  std::string file_name_;
  std::vector<ConfigError> errors_;
};

}  // namespace shardpipe::config
