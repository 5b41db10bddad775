// Turns the YAML node of one key into a typed Value, as its Property describes.
#pragma once

#include <yaml-cpp/yaml.h>

#include <expected>
#include <filesystem>
#include <string>

#include "config/diagnostics.hpp"
#include "config/properties.hpp"

namespace shardpipe::config {

// `node` is not null (a null value counts as an absent key). Paths are made absolute against
// `base_dir`. Checks the type, bounds and allowed values, and Property::check.
std::expected<Value, Problem> read_value(const YAML::Node& node, const Property& property,
                                         const std::filesystem::path& base_dir);

// "a mapping", "a list", "null", or the scalar in quotes: what the file holds, for messages.
std::string describe_node(const YAML::Node& node);

}  // namespace shardpipe::config
