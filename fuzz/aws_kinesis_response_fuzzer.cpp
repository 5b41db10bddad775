// Kinesis answers (src/sources/kinesis/kinesis_api.*) and AWS error answers
// (src/aws/error_answer.*): the input is a response body, read as the answer to every operation
// the source calls (ListShards, DescribeStreamSummary, GetShardIterator, GetRecords) and as an
// error answer. The records of a GetRecords page are rendered as the source renders them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aws/error_answer.hpp"
#include "aws/shard_id.hpp"
#include "core/json_text.hpp"
#include "sources/kinesis/kinesis_answers.hpp"
#include "sources/stream_envelope.hpp"

namespace {

namespace kinesis = shardpipe::kinesis;
using shardpipe::config::DataEncoding;

// A malformed answer is retriable (the service may answer properly next time), says why, and
// names no AWS error code (none was sent).
template <typename T>
bool failed_properly(const shardpipe::aws::AwsResult<T>& result) {
  if (result) return false;
  const auto& error = result.error();
  if (!error.code.empty() || !error.error.is_retriable() || error.error.message.empty()) {
    std::abort();
  }
  return true;
}

void check_list_shards(std::string_view body) {
  std::vector<kinesis::ShardInfo> shards;
  auto next = kinesis::parse_list_shards(body, shards);
  if (failed_properly(next)) return;
  // Shard ids become folder names and parts of eventIDs: only the services' pattern gets through.
  for (const auto& shard : shards) {
    if (!shardpipe::aws::is_shard_id(shard.shard_id) || shard.parent_shard_ids.size() > 2) {
      std::abort();
    }
  }
}

void check_single_values(std::string_view body) {
  auto arn = kinesis::parse_stream_arn(body);
  if (!failed_properly(arn) && arn->empty()) std::abort();
  auto iterator = kinesis::parse_shard_iterator(body);
  (void)failed_properly(iterator);
}

// Each record as the source hands it on: one envelope that is valid JSON, or a decode failure
// that keeps the record's data for the dead letters.
void check_envelopes(const kinesis::RecordsPage& page) {
  static const shardpipe::StreamEnvelopeWriter writers[] = {
      {"aws:kinesis", "shardId-000000000000", "arn:aws:kinesis:eu-west-1:1:stream/s", "eu-west-1",
       DataEncoding::base64},
      {"aws:kinesis", "shardId-000000000000", "arn:aws:kinesis:eu-west-1:1:stream/s", "eu-west-1",
       DataEncoding::json},
      {"aws:kinesis", "shardId-000000000000", "arn:aws:kinesis:eu-west-1:1:stream/s", "eu-west-1",
       DataEncoding::text},
  };
  for (const auto& record : page.records) {
    for (const auto& writer : writers) {
      auto rendered = writer.render({.partition_key = record.partition_key,
                                     .sequence_number = record.sequence_number,
                                     .arrival_us = record.arrival_us,
                                     .data = record.data});
      if (rendered.decode_failed) {
        if (!rendered.envelope.empty() || rendered.raw_data != record.data ||
            rendered.decode_error.empty()) {
          std::abort();
        }
      } else if (!shardpipe::is_valid_json(rendered.envelope)) {
        std::abort();
      }
    }
  }
}

void check_get_records(std::string_view body) {
  auto page = kinesis::parse_get_records(body);
  if (failed_properly(page)) return;
  for (const auto& record : page->records) {
    // Data is base64 in the answer: the decoded bytes are at most three quarters of it.
    if (record.data.size() > body.size() || record.arrival_us < 0) std::abort();
    // Sequence numbers are digits: checkpoints "SEQ:N" and envelopes rely on it.
    if (record.sequence_number.empty() ||
        record.sequence_number.find_first_not_of("0123456789") != std::string::npos) {
      std::abort();
    }
  }
  check_envelopes(*page);
}

void check_error_answer(std::string_view body) {
  auto answer = shardpipe::aws::parse_error_answer(body);
  // The code is bare: no namespace before '#', nothing after ':'.
  if (answer.code.find('#') != std::string::npos || answer.code.find(':') != std::string::npos) {
    std::abort();
  }
  auto again = shardpipe::aws::parse_error_answer(body);
  if (again.code != answer.code || again.message != answer.message) std::abort();
  for (int status : {400, 403, 429, 500, 503}) {
    auto kind = shardpipe::aws::classify_error(status, answer.code);
    if ((status == 429 || status >= 500) && kind != shardpipe::ErrorClass::retriable) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  check_list_shards(body);
  check_single_values(body);
  check_get_records(body);
  check_error_answer(body);
  return 0;
}
