// The JSON-protocol client against a real loopback server that answers from a list: what it
// sends, and how it retries, gives up or stops on each kind of answer.
#include "aws/json_client.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <string>

#include "aws/sigv4.hpp"
#include "aws_answer_server.hpp"
#include "process.hpp"

namespace shardpipe::aws {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::AnswerServer;

const Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string token = "FwoGZXIvYXdzEXAMPLETOKENwEaDH1dk6mPJ8bqP4k3UQ";

// Small waits so the tests run fast; nothing here measures time.
RetryOptions fast(int max_attempts = 8) {
  return {.max_attempts = max_attempts,
          .backoff_initial = 1ms,
          .backoff_max = 5ms,
          .request_timeout = 10s};
}

json aws_error(int status, const std::string& type, const std::string& message) {
  return {{"status", status}, {"body", {{"__type", type}, {"message", message}}}};
}
json ok(const std::string& body = R"({"Records":[]})") {
  return {{"status", 200}, {"body", body}};
}

std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return shardpipe::testing::fresh_test_dir(std::string("aws-json-client-") + info->name());
}

JsonClient kinesis(const AnswerServer& server, Credentials with = credentials,
                   RetryOptions retry = fast()) {
  return JsonClient({server.url(), "us-east-1", "kinesis", "Kinesis_20131202"}, std::move(with),
                    retry);
}

void expect_no_secret(const AwsError& error) {
  EXPECT_EQ(error.error.message.find(credentials.secret_access_key), std::string::npos)
      << error.error.message;
  EXPECT_EQ(error.error.message.find(token), std::string::npos) << error.error.message;
  EXPECT_EQ(error.error.message.find("Signature="), std::string::npos) << error.error.message;
}

TEST(EndpointUrl, DefaultsAndOverride) {
  EXPECT_EQ(endpoint_url("kinesis", "eu-west-1", ""), "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_EQ(endpoint_url("streams.dynamodb", "us-east-1", ""),
            "https://streams.dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url("kinesis", "cn-north-1", ""),
            "https://kinesis.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(endpoint_url("kinesis", "eu-west-1", "http://localhost:4566"), "http://localhost:4566");
}

TEST(JsonClient, SendsTargetContentTypeAndASignatureOfWhatWasSent) {
  AnswerServer server(test_dir(), json::array({ok(R"({"Records":[],"NextShardIterator":"i2"})")}));
  auto client = kinesis(server);
  EXPECT_EQ(client.endpoint().target_prefix, "Kinesis_20131202");
  const std::string body = R"({"ShardIterator":"i1","Limit":100})";
  auto answer = client.call("GetRecords", body);
  ASSERT_TRUE(answer.has_value()) << answer.error().error.message;
  EXPECT_EQ(*answer, R"({"Records":[],"NextShardIterator":"i2"})");

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  const auto& request = seen[0];
  const auto& headers = request["headers"];
  EXPECT_EQ(request["method"], "POST");
  EXPECT_EQ(request["path"], "/");
  EXPECT_EQ(request["body"], body);
  EXPECT_EQ(headers["x-amz-target"], "Kinesis_20131202.GetRecords");
  EXPECT_EQ(headers["content-type"], "application/x-amz-json-1.1");
  EXPECT_FALSE(headers.contains("x-amz-security-token"));

  const auto authorization = headers["authorization"].get<std::string>();
  const auto date = headers["x-amz-date"].get<std::string>();
  std::smatch match;
  ASSERT_TRUE(std::regex_match(
      authorization, match,
      std::regex("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/([0-9]{8})/us-east-1/kinesis/"
                 "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                 "Signature=[0-9a-f]{64}")))
      << authorization;
  EXPECT_EQ(match[1].str(), date.substr(0, 8));

  // The server's view of the request, signed again, gives the same header: host, headers and
  // body arrived as they were signed.
  const CanonicalInput received{"POST",
                                "/",
                                "",
                                {{"Content-Type", headers["content-type"]},
                                 {"Host", headers["host"]},
                                 {"X-Amz-Date", date},
                                 {"X-Amz-Target", headers["x-amz-target"]}},
                                sha256_hex(request["body"].get<std::string>())};
  std::tm parts{};
  ASSERT_TRUE(strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &parts) != nullptr) << date;
  const auto time = std::chrono::system_clock::from_time_t(timegm(&parts));
  EXPECT_EQ(authorization_header(received, credentials, {"us-east-1", "kinesis", time}),
            authorization);
}

TEST(JsonClient, SendsTheSessionTokenSigned) {
  AnswerServer server(test_dir(), json::array({ok()}));
  auto client = kinesis(server, {credentials.access_key_id, credentials.secret_access_key, token});
  ASSERT_TRUE(client.call("ListShards", R"({"StreamName":"s"})").has_value());
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["headers"]["x-amz-security-token"], token);
  EXPECT_NE(seen[0]["headers"]["authorization"].get<std::string>().find(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"),
            std::string::npos);
}

TEST(JsonClient, RetriesThrottlingUntilItPasses) {
  const auto throttled =
      aws_error(400, "com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException",
                "Rate exceeded for shard shardId-000000000000");
  AnswerServer server(test_dir(), json::array({throttled, throttled, ok()}));
  auto client = kinesis(server);
  auto answer = client.call("GetRecords", "{}");
  ASSERT_TRUE(answer.has_value()) << answer.error().error.message;
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(JsonClient, RetriesServerErrors) {
  AnswerServer server(test_dir(), json::array({aws_error(500, "InternalFailure", "try again"),
                                               {{"status", 503}, {"body", "<html>busy</html>"}},
                                               ok()}));
  auto client = kinesis(server);
  auto answer = client.call("GetRecords", "{}");
  ASSERT_TRUE(answer.has_value()) << answer.error().error.message;
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(JsonClient, RetriesNetworkFailures) {
  AnswerServer server(test_dir(), json::array({{{"drop", true}}, {{"drop", true}}, ok()}));
  auto client = kinesis(server);
  auto answer = client.call("GetRecords", "{}");
  ASSERT_TRUE(answer.has_value()) << answer.error().error.message;
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(JsonClient, GivesUpAfterMaxAttemptsWithARetriableError) {
  AnswerServer server(test_dir(),
                      json::array({aws_error(400, "ThrottlingException", "Slow down")}));
  auto client = kinesis(server, credentials, fast(3));
  auto answer = client.call("GetRecords", "{}");
  ASSERT_FALSE(answer.has_value());
  const auto& error = answer.error();
  EXPECT_EQ(error.code, "ThrottlingException");
  EXPECT_EQ(error.error.kind, ErrorClass::retriable);
  EXPECT_EQ(error.error.status_code, 400);
  EXPECT_NE(error.error.message.find("Kinesis GetRecords: ThrottlingException: Slow down"),
            std::string::npos)
      << error.error.message;
  EXPECT_EQ(server.requests().size(), 3u);
  expect_no_secret(error);
}

TEST(JsonClient, GivesUpOnTheNetworkWithoutACode) {
  AnswerServer server(test_dir(), json::array({{{"drop", true}}}));
  auto client = kinesis(server, credentials, fast(2));
  auto answer = client.call("GetRecords", "{}");
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, "");
  EXPECT_EQ(answer.error().error.kind, ErrorClass::retriable);
  EXPECT_FALSE(answer.error().error.status_code.has_value());
  EXPECT_NE(answer.error().error.message.find("Kinesis GetRecords: "), std::string::npos);
  EXPECT_EQ(server.requests().size(), 2u);
  expect_no_secret(answer.error());
}

TEST(JsonClient, ReturnsAClientErrorAtOnceWithItsCode) {
  AnswerServer server(
      test_dir(),
      json::array({aws_error(400, "com.amazonaws.kinesis.v20131202#ExpiredIteratorException",
                             "Iterator expired. The iterator was created at time Mon Mar 04 "
                             "10:00:00 UTC 2024 while right now it is Mon Mar 04 10:06:00 UTC "
                             "2024 which is further in the future than the tolerated delay of "
                             "300000 milliseconds."),
                   ok()}));
  auto client = kinesis(server);
  auto answer = client.call("GetRecords", "{}");
  ASSERT_FALSE(answer.has_value());
  const auto& error = answer.error();
  EXPECT_EQ(error.code, "ExpiredIteratorException");
  EXPECT_EQ(error.error.kind, ErrorClass::permanent);
  EXPECT_EQ(error.error.status_code, 400);
  EXPECT_TRUE(error.error.message.starts_with(
      "Kinesis GetRecords: ExpiredIteratorException: Iterator expired."))
      << error.error.message;
  EXPECT_EQ(server.requests().size(), 1u);
  expect_no_secret(error);
}

TEST(JsonClient, ABodyThatIsNotAwsJsonIsReportedByStatus) {
  AnswerServer server(test_dir(), json::array({{{"status", 404}, {"body", "<h1>Not found</h1>"}}}));
  auto client = kinesis(server);
  auto answer = client.call("DescribeStreamSummary", "{}");
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, "");
  EXPECT_EQ(answer.error().error.kind, ErrorClass::permanent);
  EXPECT_EQ(answer.error().error.message,
            "Kinesis DescribeStreamSummary: HTTP 404: <h1>Not found</h1>");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(JsonClient, RefusedCredentialsAreFatal) {
  AnswerServer server(
      test_dir(), json::array({aws_error(400, "UnrecognizedClientException",
                                         "The security token included in the request is invalid."),
                               ok()}));
  auto client = kinesis(server);
  auto answer = client.call("GetRecords", "{}");
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, "UnrecognizedClientException");
  EXPECT_EQ(answer.error().error.kind, ErrorClass::fatal);
  EXPECT_EQ(server.requests().size(), 1u);
  expect_no_secret(answer.error());
}

TEST(JsonClient, ASignatureMismatchDoesNotEchoTheCanonicalRequest) {
  // AWS explains a mismatch with the canonical request it expected, session token included.
  const std::string message =
      "The request signature we calculated does not match the signature you provided. Check "
      "your AWS Secret Access Key and signing method. Consult the service documentation for "
      "details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"
      "host:kinesis.us-east-1.amazonaws.com\nx-amz-security-token:" +
      token + "\n' secret " + credentials.secret_access_key;
  AnswerServer server(test_dir(),
                      json::array({aws_error(400, "InvalidSignatureException", message)}));
  auto client = kinesis(server, {credentials.access_key_id, credentials.secret_access_key, token});
  auto answer = client.call("GetRecords", "{}");
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().error.kind, ErrorClass::fatal);
  EXPECT_NE(answer.error().error.message.find("InvalidSignatureException: The request signature"),
            std::string::npos)
      << answer.error().error.message;
  expect_no_secret(answer.error());
}

TEST(JsonClient, MovesWithItsConnection) {
  AnswerServer server(test_dir(), json::array({ok()}));
  auto first = kinesis(server);
  JsonClient second = std::move(first);
  EXPECT_EQ(second.endpoint().service, "kinesis");
  ASSERT_TRUE(second.call("GetRecords", "{}").has_value());
  ASSERT_TRUE(second.call("GetRecords", "{}").has_value());
  EXPECT_EQ(server.requests().size(), 2u);
}

}  // namespace
}  // namespace shardpipe::aws
