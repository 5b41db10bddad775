// YAML to JSON, for the parts of the pipe file that are JSON documents (filter patterns,
// templates).
#pragma once

#include <yaml-cpp/yaml.h>

#include <expected>
#include <nlohmann/json.hpp>

#include "config/diagnostics.hpp"

namespace shardpipe::config {

// Mappings keep the order they are written in. Plain (unquoted) scalars follow YAML 1.2's core
// schema: integers and decimals become numbers, true/false booleans, null/~ null; quoted scalars
// stay strings, so "200" and 200 can both be expressed.
// A key that is not a scalar is a Problem, so is text that is not valid UTF-8, and so is a
// document nested more than 1000 levels deep or holding more than 10000 values once its aliases
// are expanded (an alias inside the node it names would never end).
std::expected<nlohmann::ordered_json, Problem> yaml_to_json(const YAML::Node& node);

}  // namespace shardpipe::config
