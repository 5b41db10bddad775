// The http target: one POST per batch, a JSON array of envelopes, answered with an optional
// partial batch response (see docs/http-target.md).
#pragma once

#include <memory>

#include "config/pipe_config.hpp"
#include "core/result.hpp"
#include "targets/target.hpp"

namespace shardpipe {

// Expands `${NAME}` references in the header values once, here; an unset variable or a header
// that cannot be sent is a fatal configuration error.
Result<std::unique_ptr<Target>> make_http_target(const config::TargetConfig& config);

}  // namespace shardpipe
