// The canonical request and signature of every call the s3 target makes. The canonical requests
// are written out from the SigV4 rules for S3 (path encoded once, query sorted and encoded, every
// header signed, x-amz-content-sha256 the body's SHA-256); the Authorization headers were computed
// for the same requests by the AWS SDK for JavaScript's signer (@smithy/signature-v4) at
// 2013-05-24T00:00:00Z with the S3 reference's example keys.
#include <gtest/gtest.h>

#include <chrono>

#include "aws/sigv4.hpp"
#include "targets/s3/s3_requests.hpp"

namespace shardpipe::s3 {
namespace {

using namespace std::chrono;

const aws::Credentials example_credentials{"AKIAIOSFODNN7EXAMPLE",
                                           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const aws::SigningScope example_scope{"us-east-1", "s3", sys_days{2013y / May / 24}};
const std::string key = "pipes/orders/shardId-000000000000/00000000000000000042.jsonl";
const std::string upload_id = "VXBsb2FkIElE+/=";  // '+', '/' and '=' must be encoded
const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

BucketAddress emulator() {
  return bucket_address("orders-archive", "us-east-1", "http://127.0.0.1:4568");
}

std::string authorization_of(net::Request request) {
  aws::sign_request(request, example_credentials, example_scope);
  for (const auto& header : request.headers) {
    if (header.name == "Authorization") return header.value;
  }
  return "";
}

// The canonical request sign_request builds for `request`: its path and query from the URL, its
// headers as they are once signed (Authorization aside).
std::string canonical_of(net::Request request) {
  aws::sign_request(request, example_credentials, example_scope);
  std::erase_if(request.headers, [](const net::Header& h) { return h.name == "Authorization"; });
  auto rest = request.url.substr(request.url.find('/', request.url.find("://") + 3));
  const auto question = rest.find('?');
  return aws::canonical_request(
      {.method = request.method,
       .path = rest.substr(0, question),
       .query = question == std::string::npos ? "" : rest.substr(question + 1),
       .headers = request.headers,
       .payload_hash = aws::sha256_hex(request.body),
       .normalize_path = false});
}

std::string sdk_authorization(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

TEST(S3Signing, PutObject) {
  auto request = put_object_request(emulator(), key, "{\"a\":1}\n", "application/x-ndjson");
  EXPECT_EQ(request.method, "PUT");
  const auto body_hash = aws::sha256_hex("{\"a\":1}\n");
  EXPECT_EQ(canonical_of(request),
            "PUT\n/orders-archive/" + key +
                "\n\ncontent-type:application/x-ndjson\nhost:127.0.0.1:4568\n"
                "x-amz-content-sha256:" +
                body_hash +
                "\nx-amz-date:20130524T000000Z\n\n"
                "content-type;host;x-amz-content-sha256;x-amz-date\n" +
                body_hash);
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("content-type;host;x-amz-content-sha256;x-amz-date",
                              "5713877aa1bc1236830150b628c103517daf0163d5a5b33caf28f14d4de2bfa7"));
}

TEST(S3Signing, CreateMultipartUpload) {
  auto request = create_multipart_upload_request(emulator(), key, "application/gzip");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(canonical_of(request),
            "POST\n/orders-archive/" + key +
                "\nuploads=\ncontent-type:application/gzip\nhost:127.0.0.1:4568\n"
                "x-amz-content-sha256:" +
                empty_hash +
                "\nx-amz-date:20130524T000000Z\n\n"
                "content-type;host;x-amz-content-sha256;x-amz-date\n" +
                empty_hash);
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("content-type;host;x-amz-content-sha256;x-amz-date",
                              "91652e3421659c71da41954193e3c11b1d2fe61b91cf76838efe565287e804f6"));
}

TEST(S3Signing, UploadPart) {
  auto request = upload_part_request(emulator(), key, upload_id, 2, "part two");
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.url, "http://127.0.0.1:4568/orders-archive/" + key +
                             "?partNumber=2&uploadId=VXBsb2FkIElE%2B%2F%3D");
  const auto body_hash = aws::sha256_hex("part two");
  EXPECT_EQ(canonical_of(request),
            "PUT\n/orders-archive/" + key +
                "\npartNumber=2&uploadId=VXBsb2FkIElE%2B%2F%3D\n"
                "content-type:application/octet-stream\nhost:127.0.0.1:4568\n"
                "x-amz-content-sha256:" +
                body_hash +
                "\nx-amz-date:20130524T000000Z\n\n"
                "content-type;host;x-amz-content-sha256;x-amz-date\n" +
                body_hash);
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("content-type;host;x-amz-content-sha256;x-amz-date",
                              "a2e66908807f582fe5896e33bd912dae9b7dc5db66a338131e1efadfc5920246"));
}

TEST(S3Signing, CompleteMultipartUpload) {
  auto request =
      complete_multipart_upload_request(emulator(), key, upload_id, {"\"etag1\"", "\"etag2\""});
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;etag1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;etag2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("content-type;host;x-amz-content-sha256;x-amz-date",
                              "b841240fc081c9ad6b378a1c43172d989ee47be81e191c57af5f2c3a315b034d"));
}

TEST(S3Signing, AbortMultipartUpload) {
  auto request = abort_multipart_upload_request(emulator(), key, upload_id);
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("host;x-amz-content-sha256;x-amz-date",
                              "f9d2e56d429d51c317aa6e440ef7ba01e9ff25b21acd5d329ecd84deb7d9cadd"));
}

TEST(S3Signing, HeadBucket) {
  auto request = head_bucket_request(emulator());
  EXPECT_EQ(request.method, "HEAD");
  EXPECT_EQ(request.url, "http://127.0.0.1:4568/orders-archive");
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("host;x-amz-content-sha256;x-amz-date",
                              "27dc1f97e29924463dc2b98bc243f098c9098eb2b4cac34ce465c0c412c16275"));
}

TEST(S3Signing, VirtualHostedPutWithAnEncodedKey) {
  auto address = bucket_address("examplebucket", "us-east-1", "");
  auto request =
      put_object_request(address, "logs/a b/shardId-000000000001/00000000000000000007.jsonl.zst",
                         "zstd bytes", "application/zstd");
  EXPECT_EQ(request.url,
            "https://examplebucket.s3.us-east-1.amazonaws.com/logs/a%20b/shardId-000000000001/"
            "00000000000000000007.jsonl.zst");
  EXPECT_EQ(authorization_of(request),
            sdk_authorization("content-type;host;x-amz-content-sha256;x-amz-date",
                              "8eb5d4d4623f29c047a540205144cb3c4615d38e9e632e4570ddf560c1c2ba2b"));
}

}  // namespace
}  // namespace shardpipe::s3
