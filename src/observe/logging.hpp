// Log lines go to stderr, one per state change, quiet in normal operation.
#pragma once

#include <string_view>

namespace shardpipe {

// level: trace | debug | info | warn | error
void configure_logging(std::string_view level);
void set_log_level(std::string_view level);
// text (the default: time, level, message) | json (one JSON object per line); false when
// `format` is neither.
bool set_log_format(std::string_view format);

}  // namespace shardpipe
