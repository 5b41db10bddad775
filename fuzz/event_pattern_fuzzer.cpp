// Event patterns (src/filter): the input is compiled as a pattern and, if it compiles, matched
// against fixed envelopes of every shape. An input holding the separator "\n%%\n" is also split
// into a pattern (before) and an envelope (after) that are matched against each other.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "filter/event_pattern.hpp"
#include "filter/record_filter.hpp"

namespace {

using shardpipe::filter::CompiledPattern;
using shardpipe::filter::RecordFilter;

constexpr std::string_view kSeparator = "\n%%\n";

// Envelopes as the sources write them, plus odd shapes the matcher must cope with.
constexpr std::string_view kEnvelopes[] = {
    R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000000:42","eventName":"aws:kinesis:record","partitionKey":"customer-7","sequenceNumber":"42","approximateArrivalTimestamp":1795341600.25,"data":{"status":"paid","order":{"id":"o-1","amount":42.5},"client_ip":"192.168.1.20","tags":["a",1,null,true,[2,["x"]]]}})",
    R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000001:7","partitionKey":"k","sequenceNumber":"7","data":"eyJzdGF0dXMiOiJwYWlkIiwiYW1vdW50IjozMDAuMH0="})",
    R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000001:8","partitionKey":"","data":"{\"status\":\"refunded\",\"ip\":\"2001:db8::1\"}"})",
    R"({"eventSource":"SelfManagedKafka","eventID":"payments-3:1500","topic":"payments","partition":3,"offset":1500,"key":"order-981","value":{"amount":150,"currency":"EUR","refunded":false}})",
    R"({"eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"pk":{"S":"order#o-1"}},"NewImage":{"pk":{"S":"order#o-1"},"status":{"S":"paid"},"amount":{"N":"150.5"},"tags":{"SS":["vip","new"]},"address":{"M":{"city":{"S":"Paris"}}},"items":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]}},"OldImage":{"pk":{"S":"order#o-1"},"status":{"S":"pending"}}}})",
    R"({"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"n":-0.0,"big":1e308,"small":-1e-308,"i":18446744073709551615,"s":"\u00e9\u0000*\\","e":{},"a":[]})",
    R"({"":"","$or":[1,2],"a":{"b":{"c":{"d":{"e":["deep"]}}}},"x":null,"source-ip":"10.0.0.7","t":true,"f":false})",
    R"([1,2,3])",
    R"("just a string")",
    R"({"data":"not json {"})",
    R"(not json at all)",
};

void match_everything(RecordFilter& filter) {
  for (std::string_view envelope : kEnvelopes) {
    bool first = filter.matches(envelope);
    // The filter reuses its parser and scratch space: a second look must agree with the first.
    if (filter.matches(envelope) != first) std::abort();
  }
}

void check_pattern(std::string_view text, std::string_view extra_envelope) {
  auto pattern = shardpipe::filter::parse_pattern(text);
  if (!pattern) {
    // Every error must render; an error about the whole pattern has no location.
    if (pattern.error().text().empty()) std::abort();
    return;
  }
  RecordFilter filter = RecordFilter::from_patterns({*pattern});
  match_everything(filter);
  if (!extra_envelope.empty()) {
    bool first = filter.matches(extra_envelope);
    if (filter.matches(extra_envelope) != first) std::abort();
    // A copy shares the compiled pattern and must decide the same.
    RecordFilter copy = filter;
    if (copy.matches(extra_envelope) != first) std::abort();
  }
  // The same pattern twice, OR-ed, decides as the pattern alone.
  RecordFilter twice = RecordFilter::from_patterns({*pattern, *pattern});
  for (std::string_view envelope : kEnvelopes) {
    if (twice.matches(envelope) != filter.matches(envelope)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_pattern(input, {});
  if (size_t cut = input.find(kSeparator); cut != std::string_view::npos) {
    std::string_view envelope = input.substr(cut + kSeparator.size());
    // An empty envelope would be skipped above; a lone space still exercises the parser.
    check_pattern(input.substr(0, cut), envelope.empty() ? std::string_view(" ") : envelope);
  }
  return 0;
}
