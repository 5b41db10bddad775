// Input templates (src/transform): the input is compiled as a template and, if it compiles,
// applied to fixed envelopes. An input holding the separator "\n%%\n" is also split into a
// template (before) and an envelope (after) that is transformed by it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json_text.hpp"
#include "transform/input_template.hpp"

namespace {

using shardpipe::transform::InputTemplate;

constexpr std::string_view kSeparator = "\n%%\n";

constexpr std::string_view kEnvelopes[] = {
    R"({"eventSource":"shardpipe:local","eventID":"shardId-000000000000:42","eventName":"aws:kinesis:record","partitionKey":"customer-7","sequenceNumber":"42","approximateArrivalTimestamp":1795341600.25,"data":{"status":"paid","order":{"id":"o-1","amount":42.5},"lines":[{"sku":"A-1"},{"sku":"B-7"}]}})",
    R"({"eventSource":"SelfManagedKafka","eventID":"payments-3:1500","topic":"payments","partition":3,"offset":1500,"key":"order-981","value":{"amount":150,"currency":"EUR","refunded":false}})",
    R"({"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"order#o-1"}},"NewImage":{"pk":{"S":"order#o-1"},"tags":{"SS":["vip","new"]}}}})",
    R"({"s":"quote \" backslash \\ newline \n nul \u0000 e\u0301 \ud83d\ude00","n":-1.5e-300,"i":-9223372036854775808,"u":18446744073709551615,"a":[[],{},[[1]],null],"":{"":""},"x.y":1,"[0]":2,"*":3})",
    R"([{"a":1},{"a":[2,3]},"t",4])",
    R"("text")",
    R"(12)",
    R"(null)",
};

void apply_once(const InputTemplate& compiled, std::string_view envelope) {
  std::string out = "kept";
  auto applied = compiled.apply_to(envelope, out);
  if (!applied) {
    if (out != "kept") std::abort();  // apply_to leaves `out` as it was on error
    // A template that compiled cannot fail on a valid record: placeholders insert JSON values
    // (or null) where values stand, and escaped text inside strings.
    if (compiled.is_json() && shardpipe::is_valid_json(envelope)) std::abort();
    return;
  }
  if (out.rfind("kept", 0) != 0) std::abort();
  auto result = compiled.apply(envelope);
  if (!result || *result != std::string_view(out).substr(4)) std::abort();
  if (compiled.is_json() && !shardpipe::is_valid_json(*result)) std::abort();
}

void check_template(std::string_view text, std::string_view extra_envelope) {
  auto compiled = shardpipe::transform::compile_template(text);
  if (!compiled) {
    if (compiled.error().message.empty()) std::abort();
    return;
  }
  for (std::string_view envelope : kEnvelopes) apply_once(*compiled, envelope);
  if (!extra_envelope.empty()) apply_once(*compiled, extra_envelope);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_template(input, {});
  if (size_t cut = input.find(kSeparator); cut != std::string_view::npos) {
    std::string_view envelope = input.substr(cut + kSeparator.size());
    check_template(input.substr(0, cut), envelope.empty() ? std::string_view(" ") : envelope);
  }
  return 0;
}
