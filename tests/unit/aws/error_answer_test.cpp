// AWS's JSON error answers and what each kind of error means for the caller.
#include "aws/error_answer.hpp"

#include <gtest/gtest.h>

namespace shardpipe::aws {
namespace {

TEST(ErrorAnswer, DropsTheNamespaceOfTheType) {
  auto answer =
      parse_error_answer(R"({"__type":"com.amazonaws.kinesis.v20131202#ExpiredIteratorException",)"
                         R"("message":"Iterator expired."})");
  EXPECT_EQ(answer.code, "ExpiredIteratorException");
  EXPECT_EQ(answer.message, "Iterator expired.");
}

TEST(ErrorAnswer, ReadsEitherSpellingOfMessage) {
  auto answer = parse_error_answer(
      R"({"__type":"ResourceNotFoundException","Message":"Stream x not found"})");
  EXPECT_EQ(answer.code, "ResourceNotFoundException");
  EXPECT_EQ(answer.message, "Stream x not found");
}

TEST(ErrorAnswer, DropsWhatFollowsAColon) {
  EXPECT_EQ(
      parse_error_answer(R"({"__type":"ThrottlingException:http://internal.amazon.com/coral/x/"})")
          .code,
      "ThrottlingException");
}

TEST(ErrorAnswer, NamesNothingWhenTheBodyIsNotAwsJson) {
  EXPECT_EQ(parse_error_answer("<html>Bad gateway</html>").code, "");
  EXPECT_EQ(parse_error_answer("[1,2]").code, "");
  EXPECT_EQ(parse_error_answer(R"({"__type": 5})").code, "");
  EXPECT_EQ(parse_error_answer("").code, "");
}

TEST(ClassifyError, ThrottlingAndServerErrorsAreRetriable) {
  for (auto code : {"ProvisionedThroughputExceededException", "LimitExceededException",
                    "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                    "TooManyRequestsException", "KMSThrottlingException"}) {
    EXPECT_EQ(classify_error(400, code), ErrorClass::retriable) << code;
  }
  EXPECT_EQ(classify_error(500, "InternalFailure"), ErrorClass::retriable);
  EXPECT_EQ(classify_error(503, ""), ErrorClass::retriable);
  EXPECT_EQ(classify_error(429, ""), ErrorClass::retriable);
}

TEST(ClassifyError, CredentialProblemsAreFatal) {
  for (auto code :
       {"UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException",
        "MissingAuthenticationToken", "IncompleteSignature", "ExpiredTokenException"}) {
    EXPECT_EQ(classify_error(400, code), ErrorClass::fatal) << code;
  }
  EXPECT_EQ(classify_error(403, "AccessDeniedException"), ErrorClass::fatal);
}

TEST(ClassifyError, OtherClientErrorsArePermanent) {
  for (auto code : {"ExpiredIteratorException", "ResourceNotFoundException",
                    "TrimmedDataAccessException", "InvalidArgumentException", ""}) {
    EXPECT_EQ(classify_error(400, code), ErrorClass::permanent) << code;
  }
  EXPECT_EQ(classify_error(404, ""), ErrorClass::permanent);
}

}  // namespace
}  // namespace shardpipe::aws
