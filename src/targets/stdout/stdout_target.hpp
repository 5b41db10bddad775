// JSON Lines on standard output, one batch per write, flushed before the batch counts as done.
#pragma once

#include <memory>

#include "targets/target.hpp"

namespace shardpipe {

std::unique_ptr<Target> make_stdout_target();

}  // namespace shardpipe
