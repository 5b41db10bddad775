// Turns the YAML node of one key into a typed Value, as its Property describes.
#pragma once

#include <yaml-cpp/yaml.h>

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/properties.hpp"

namespace shardpipe::config {

// Most values have one problem at most; a list of filter patterns has one per invalid pattern.
using Problems = std::vector<Problem>;

// `node` is not null (a null value counts as an absent key). Paths are made absolute against
// `base_dir`. Checks the type, bounds and allowed values, and Property::check; filter patterns and
// transform templates are compiled, so that their mistakes are reported where they are written.
std::expected<Value, Problems> read_value(const YAML::Node& node, const Property& property,
                                          const std::filesystem::path& base_dir);

// "a mapping", "a list", "null", or the scalar in quotes: what the file holds, for messages.
std::string describe_node(const YAML::Node& node);

}  // namespace shardpipe::config
