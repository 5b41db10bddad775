// Log lines go to stderr, one per state change, quiet in normal operation.
#pragma once

#include <string_view>

namespace shardpipe {

// level: trace | debug | info | warn | error
void configure_logging(std::string_view level);
void set_log_level(std::string_view level);

}  // namespace shardpipe
