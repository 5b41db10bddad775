// A Kinesis stream as the pipe file gives it (`source.stream`, `target.stream`): its name, or its
// ARN (which also names the region). Checked when the pipe starts: a name Kinesis would refuse on
// every request must stop the pipe then.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::aws {

struct StreamReference {
  std::string name;
  std::string region;  // from an ARN; empty for a plain name
};

// A fatal error naming `setting` when `stream` is neither a valid stream name ([a-zA-Z0-9_.-],
// 1 to 128 characters) nor the ARN of a Kinesis stream with such a name.
Result<StreamReference> parse_stream_reference(std::string_view stream,
                                               std::string_view setting = "target.stream");

}  // namespace shardpipe::aws
