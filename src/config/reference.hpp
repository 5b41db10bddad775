// The configuration reference (docs/configuration.md), generated from the property tables.
#pragma once

#include <string>

namespace shardpipe::config {

// Markdown, one section per component; the same tables always give the same text.
std::string configuration_reference_markdown();

}  // namespace shardpipe::config
