// Uploads against a loopback server that answers as scripted: what goes over the wire for a
// single PUT and for a multipart upload, an abort after a failed part, retries of a 503, none of a
// 403, and the bucket check of make_s3_target.
#include "targets/s3/object_upload.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "aws/sigv4.hpp"
#include "aws_answer_server.hpp"
#include "config/pipe_config.hpp"
#include "process.hpp"
#include "targets/s3/s3_target.hpp"

namespace shardpipe::s3 {
namespace {

using nlohmann::json;
using shardpipe::aws::testing::AnswerServer;

const aws::Credentials test_credentials{"AKIDS3TEST", "s3-test-secret", ""};
// Small parts so that the test moves a few bytes only; S3 itself wants 5 MiB at least.
const MultipartPolicy small_parts{.threshold = 10, .part_size = 4};
const ClientRetry quick_retry{.max_attempts = 3,
                              .backoff_initial = std::chrono::milliseconds(1),
                              .backoff_max = std::chrono::milliseconds(5)};

json error_answer(int status, const std::string& code) {
  return {{"status", status},
          {"body", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                       "</Code><Message>scripted</Message></Error>"}};
}

json initiated(const std::string& upload_id) {
  return {{"status", 200},
          {"body",
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>"
           "<Bucket>b</Bucket><Key>k</Key><UploadId>" +
               upload_id + "</UploadId></InitiateMultipartUploadResult>"}};
}

json part_stored(const std::string& etag) {
  return {{"status", 200}, {"body", ""}, {"headers", {{"ETag", etag}}}};
}

class ObjectUpload : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = shardpipe::testing::fresh_test_dir("s3-upload");
  S3Client client_for(const AnswerServer& server) {
    return S3Client(bucket_address("b", "us-east-1", server.url()), "us-east-1", test_credentials,
                    quick_retry);
  }
};

TEST_F(ObjectUpload, SmallObjectsGoInOnePut) {
  AnswerServer server(dir_, json::array({{{"status", 200}, {"body", ""}}}));
  auto client = client_for(server);
  ASSERT_TRUE(
      upload_object(client, "p/s/1.jsonl", "0123456789", "application/x-ndjson", small_parts));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["method"], "PUT");
  EXPECT_EQ(requests[0]["path"], "/b/p/s/1.jsonl");
  EXPECT_EQ(requests[0]["body"], "0123456789");
  EXPECT_EQ(requests[0]["headers"]["content-type"], "application/x-ndjson");
  EXPECT_EQ(requests[0]["headers"]["x-amz-content-sha256"], aws::sha256_hex("0123456789"));
  EXPECT_TRUE(requests[0]["headers"]["authorization"].get<std::string>().starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDS3TEST/"));
}

TEST_F(ObjectUpload, LargeObjectsGoInPartsInOrder) {
  AnswerServer server(
      dir_, json::array({initiated("up+1"),
                         part_stored("\"e1\""),
                         part_stored("\"e2\""),
                         part_stored("\"e3\""),
                         {{"status", 200}, {"body", "<CompleteMultipartUploadResult/>"}}}));
  auto client = client_for(server);
  ASSERT_TRUE(upload_object(client, "k.jsonl.gz", "aaaabbbbcc", "application/gzip",
                            {.threshold = 9, .part_size = 4}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0]["method"], "POST");
  EXPECT_EQ(requests[0]["path"], "/b/k.jsonl.gz?uploads");
  EXPECT_EQ(requests[0]["headers"]["content-type"], "application/gzip");
  const char* bodies[] = {"aaaa", "bbbb", "cc"};
  for (int part = 1; part <= 3; ++part) {
    EXPECT_EQ(requests[part]["method"], "PUT");
    EXPECT_EQ(requests[part]["path"],
              "/b/k.jsonl.gz?partNumber=" + std::to_string(part) + "&uploadId=up%2B1");
    EXPECT_EQ(requests[part]["body"], bodies[part - 1]);
  }
  EXPECT_EQ(requests[4]["method"], "POST");
  EXPECT_EQ(requests[4]["path"], "/b/k.jsonl.gz?uploadId=up%2B1");
  EXPECT_EQ(requests[4]["body"],
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>&quot;e3&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST_F(ObjectUpload, AFailedPartAbortsTheUpload) {
  AnswerServer server(dir_, json::array({initiated("u1"),
                                         part_stored("\"e1\""),
                                         error_answer(403, "AccessDenied"),
                                         {{"status", 204}, {"body", ""}}}));
  auto client = client_for(server);
  auto uploaded = upload_object(client, "k", "aaaabbbbcccc", "application/x-ndjson", small_parts);
  ASSERT_FALSE(uploaded);
  EXPECT_EQ(uploaded.error().kind, ErrorClass::fatal);
  EXPECT_NE(uploaded.error().message.find("AccessDenied"), std::string::npos)
      << uploaded.error().message;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3]["method"], "DELETE");
  EXPECT_EQ(requests[3]["path"], "/b/k?uploadId=u1");
}

TEST_F(ObjectUpload, AnErrorInsideA200CompleteIsRetriedAsAWholeUpload) {
  AnswerServer server(dir_, json::array({initiated("u1"),
                                         part_stored("\"e1\""),
                                         part_stored("\"e2\""),
                                         part_stored("\"e3\""),
                                         error_answer(200, "InternalError"),
                                         error_answer(200, "InternalError"),
                                         error_answer(200, "InternalError"),
                                         {{"status", 204}, {"body", ""}}}));
  auto client = client_for(server);
  auto uploaded = upload_object(client, "k", "aaaabbbbcccc", "application/x-ndjson", small_parts);
  ASSERT_FALSE(uploaded);
  EXPECT_EQ(uploaded.error().kind, ErrorClass::retriable);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 8u);  // create, 3 parts, 3 completes, abort
  EXPECT_EQ(requests.back()["method"], "DELETE");
}

TEST_F(ObjectUpload, SlowDownIsRetriedAndAccessDeniedIsNot) {
  {
    AnswerServer server(dir_ / "slow", json::array({error_answer(503, "SlowDown"),
                                                    {{"status", 200}, {"body", ""}}}));
    auto client = client_for(server);
    EXPECT_TRUE(upload_object(client, "k", "x", "application/x-ndjson", small_parts));
    EXPECT_EQ(server.requests().size(), 2u);
  }
  {
    AnswerServer server(dir_ / "denied", json::array({error_answer(403, "AccessDenied")}));
    auto client = client_for(server);
    auto uploaded = upload_object(client, "k", "x", "application/x-ndjson", small_parts);
    ASSERT_FALSE(uploaded);
    EXPECT_EQ(uploaded.error().kind, ErrorClass::fatal);
    EXPECT_EQ(uploaded.error().status_code, 403);
    EXPECT_EQ(server.requests().size(), 1u);
  }
  {
    AnswerServer server(dir_ / "down", json::array({error_answer(503, "SlowDown")}));
    auto client = client_for(server);
    auto uploaded = upload_object(client, "k", "x", "application/x-ndjson", small_parts);
    ASSERT_FALSE(uploaded);
    EXPECT_EQ(uploaded.error().kind, ErrorClass::retriable);
    EXPECT_NE(uploaded.error().message.find("gave up after 3 attempts"), std::string::npos);
    EXPECT_EQ(server.requests().size(), 3u);
  }
}

class BucketCheck : public ObjectUpload {
 protected:
  void SetUp() override {
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDS3TEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "s3-test-secret", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
  }
  config::TargetConfig config_for(const AnswerServer& server) {
    config::TargetConfig config;
    config.type = "s3";
    config.bucket = "orders";
    config.region = "us-east-1";
    config.endpoint = server.url();
    return config;
  }
};

TEST_F(BucketCheck, AMissingBucketIsFatalAtCreation) {
  AnswerServer server(dir_, json::array({{{"status", 404}, {"body", ""}}}));
  auto target = make_s3_target(config_for(server));
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().kind, ErrorClass::fatal);
  EXPECT_NE(target.error().message.find("the S3 bucket 'orders' does not exist"), std::string::npos)
      << target.error().message;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0]["method"], "HEAD");
  EXPECT_EQ(server.requests()[0]["path"], "/orders");
}

TEST_F(BucketCheck, ABucketInAnotherRegionIsNamed) {
  AnswerServer server(
      dir_,
      json::array(
          {{{"status", 301}, {"body", ""}, {"headers", {{"x-amz-bucket-region", "eu-west-1"}}}}}));
  auto target = make_s3_target(config_for(server));
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().kind, ErrorClass::fatal);
  EXPECT_NE(target.error().message.find("the bucket is in region eu-west-1"), std::string::npos)
      << target.error().message;
}

TEST_F(BucketCheck, AnExistingBucketOpensSinks) {
  AnswerServer server(dir_, json::array({{{"status", 200}, {"body", ""}}}));
  auto target = make_s3_target(config_for(server));
  ASSERT_TRUE(target) << target.error().message;
  auto sink = (*target)->open_shard("shardId-000000000000");
  ASSERT_TRUE(sink);
  EXPECT_TRUE((*sink)->buffering());
}

}  // namespace
}  // namespace shardpipe::s3
