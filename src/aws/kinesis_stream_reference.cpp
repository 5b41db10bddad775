#include "aws/kinesis_stream_reference.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "aws/arn.hpp"

namespace shardpipe::aws {
namespace {

bool valid_stream_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

}  // namespace

Result<StreamReference> parse_stream_reference(std::string_view stream, std::string_view setting) {
  StreamReference reference;
  if (stream.starts_with("arn:")) {
    auto arn = aws::parse_arn(stream);
    if (!arn || arn->service != "kinesis" || !arn->resource.starts_with("stream/")) {
      return fail(
          Error::fatal(fmt::format("{}: '{}' is not the ARN of a Kinesis stream "
                                   "(arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)",
                                   setting, stream)));
    }
    reference.name = arn->resource.substr(7);
    reference.region = arn->region;
  } else {
    reference.name = std::string(stream);
  }
  if (!valid_stream_name(reference.name)) {
    return fail(
        Error::fatal(fmt::format("{}: '{}' is not a Kinesis stream name (1 to 128 of a-z, A-Z, "
                                 "0-9, '_', '.', '-')",
                                 setting, reference.name)));
  }
  return reference;
}

}  // namespace shardpipe::aws
