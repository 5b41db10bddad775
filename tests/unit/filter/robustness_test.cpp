// Mutated patterns and envelopes must be compiled or rejected, and matched, without crashing or
// hanging: a cheap stand-in for fuzzing the parser and the matcher.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "conformance_cases.hpp"
#include "filter/event_pattern.hpp"
#include "filter/record_filter.hpp"

namespace shardpipe::filter {
namespace {

std::string mutated(std::string_view text, std::mt19937& random) {
  static constexpr std::string_view kAlphabet = "{}[]\",:*\\0123456789.-eE$ornumericprefix";
  std::string out(text);
  int edits = 1 + static_cast<int>(random() % 4);
  for (int i = 0; i < edits && !out.empty(); ++i) {
    size_t at = random() % out.size();
    char c = kAlphabet[random() % kAlphabet.size()];
    switch (random() % 3) {
      case 0:
        out[at] = c;
        break;
      case 1:
        out.insert(out.begin() + static_cast<long>(at), c);
        break;
      default:
        out.erase(at, 1 + random() % 3);
        break;
    }
  }
  return out;
}

TEST(Robustness, MutatedPatternsAndEnvelopesNeverCrash) {
  std::mt19937 random(20260101);
  size_t compiled = 0;
  for (int round = 0; round < 4000; ++round) {
    const auto& seed = conformance::kMatchCases[random() % std::size(conformance::kMatchCases)];
    std::string pattern = mutated(seed.pattern, random);
    auto result = parse_pattern(pattern);
    if (!result) {
      EXPECT_FALSE(result.error().message.empty()) << pattern;
      continue;
    }
    ++compiled;
    RecordFilter filter = RecordFilter::from_patterns({*result});
    (void)filter.matches(seed.event);
    (void)filter.matches(mutated(seed.event, random));
  }
  EXPECT_GT(compiled, 100u) << "the mutations should leave some patterns valid";
}

}  // namespace
}  // namespace shardpipe::filter
