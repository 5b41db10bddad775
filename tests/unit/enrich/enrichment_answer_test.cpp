// How the http enrichment reads an answer: each case on its own, without a server.
#include "enrich/enrichment_answer.hpp"

#include <gtest/gtest.h>

namespace shardpipe {
namespace {

constexpr std::string_view url = "http://127.0.0.1:9/enrich";

TEST(EnrichmentAnswer, AnArrayOfTheBatchsLengthGivesCompactEnvelopes) {
  auto envelopes = read_enrichment_answer(200, R"([ {"a": 1, "b": [1, 2]}, "text" ])", 2, url);
  ASSERT_TRUE(envelopes.has_value()) << envelopes.error().message;
  EXPECT_EQ(*envelopes, (std::vector<std::string>{R"({"a":1,"b":[1,2]})", R"("text")"}));
}

TEST(EnrichmentAnswer, AnotherLengthIsARetriableErrorNamingTheEnrichment) {
  auto envelopes = read_enrichment_answer(200, "[{}]", 2, url);
  ASSERT_FALSE(envelopes.has_value());
  EXPECT_EQ(envelopes.error().kind, ErrorClass::retriable);
  EXPECT_NE(envelopes.error().message.find("enrichment"), std::string::npos);
  EXPECT_NE(envelopes.error().message.find(url), std::string::npos);
}

TEST(EnrichmentAnswer, ABodyThatIsNotAnArrayIsRetriable) {
  for (std::string_view body : {"", "{}", "not json", "[1,"}) {
    auto envelopes = read_enrichment_answer(200, body, 1, url);
    ASSERT_FALSE(envelopes.has_value()) << body;
    EXPECT_EQ(envelopes.error().kind, ErrorClass::retriable) << body;
  }
}

TEST(EnrichmentAnswer, StatusesAreClassifiedLikeTheHttpTargets) {
  for (int status : {408, 429, 500, 503}) {
    auto envelopes = read_enrichment_answer(status, "busy", 1, url);
    ASSERT_FALSE(envelopes.has_value());
    EXPECT_EQ(envelopes.error().kind, ErrorClass::retriable) << status;
    EXPECT_EQ(envelopes.error().status_code, status);
    EXPECT_NE(envelopes.error().message.find("busy"), std::string::npos);
  }
  for (int status : {400, 404, 302}) {
    auto envelopes = read_enrichment_answer(status, "", 1, url);
    ASSERT_FALSE(envelopes.has_value());
    EXPECT_EQ(envelopes.error().kind, ErrorClass::permanent) << status;
  }
}

}  // namespace
}  // namespace shardpipe
