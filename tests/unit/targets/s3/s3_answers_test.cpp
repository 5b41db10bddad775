// S3's error answers, what each one means for the pipe, and the XML bits of the multipart calls.
#include <gtest/gtest.h>

#include "targets/s3/s3_error.hpp"
#include "targets/s3/xml_text.hpp"

namespace shardpipe::s3 {
namespace {

const char* error_document(const char* code, const char* message) {
  static std::string text;
  text = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") + code +
         "</Code><Message>" + message + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  return text.c_str();
}

TEST(S3Error, ReadsCodeAndMessage) {
  auto answer =
      parse_s3_error(404, error_document("NoSuchBucket", "The specified bucket does not exist"));
  EXPECT_EQ(answer.code, "NoSuchBucket");
  EXPECT_EQ(answer.message, "The specified bucket does not exist");
  EXPECT_EQ(
      parse_s3_error(503, error_document("SlowDown", "Please reduce your request rate.")).code,
      "SlowDown");
}

TEST(S3Error, AHeadAnswerHasOnlyItsStatus) {
  EXPECT_EQ(parse_s3_error(404, "").code, "NoSuchBucket");
  EXPECT_EQ(parse_s3_error(403, "").code, "AccessDenied");
  EXPECT_EQ(parse_s3_error(301, "").code, "PermanentRedirect");
  EXPECT_EQ(parse_s3_error(418, "<html>teapot</html>").code, "HTTP 418");
}

TEST(S3Error, OutagesAndThrottlingAreRetriedEverythingElseStopsThePipe) {
  struct Case {
    int status;
    const char* code;
    ErrorClass expected;
  };
  const Case cases[] = {
      {503, "SlowDown", ErrorClass::retriable},
      {500, "InternalError", ErrorClass::retriable},
      {502, "HTTP 502", ErrorClass::retriable},
      {429, "HTTP 429", ErrorClass::retriable},
      {400, "RequestTimeout", ErrorClass::retriable},
      {403, "RequestTimeTooSkewed", ErrorClass::retriable},
      {404, "NoSuchUpload", ErrorClass::retriable},
      {409, "OperationAborted", ErrorClass::retriable},
      {404, "NoSuchBucket", ErrorClass::fatal},
      {403, "AccessDenied", ErrorClass::fatal},
      {403, "InvalidAccessKeyId", ErrorClass::fatal},
      {403, "SignatureDoesNotMatch", ErrorClass::fatal},
      {400, "ExpiredToken", ErrorClass::fatal},
      {301, "PermanentRedirect", ErrorClass::fatal},
      {400, "AuthorizationHeaderMalformed", ErrorClass::fatal},
      {400, "KeyTooLongError", ErrorClass::fatal},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classify_s3_error(c.status, c.code), c.expected) << c.status << " " << c.code;
  }
}

TEST(S3Error, AnErrorInsideA200Answer) {
  EXPECT_TRUE(
      is_error_document(error_document("InternalError", "We encountered an internal error")));
  EXPECT_TRUE(is_error_document("<Error><Code>InternalError</Code></Error>"));
  EXPECT_FALSE(
      is_error_document("<?xml version=\"1.0\" "
                        "encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult><ETag>\"x\"</ETag>"
                        "</CompleteMultipartUploadResult>"));
  EXPECT_FALSE(is_error_document(""));
}

TEST(XmlText, ElementTextWithEntities) {
  const std::string xml =
      "<?xml version=\"1.0\"?><InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/"
      "2006-03-01/\"><Bucket>b</Bucket><Key>a&amp;b</Key><UploadId>VXBsb2Fk&#x2B;&#47;SUQ=</"
      "UploadId>"
      "</InitiateMultipartUploadResult>";
  EXPECT_EQ(xml_element_text(xml, "UploadId"), "VXBsb2Fk+/SUQ=");
  EXPECT_EQ(xml_element_text(xml, "Key"), "a&b");
  EXPECT_EQ(xml_element_text(xml, "Missing"), std::nullopt);
  // A longer name that starts with the one asked for is another element.
  EXPECT_EQ(xml_element_text("<Error><CodeName>x</CodeName><Code>y</Code></Error>", "Code"), "y");
  EXPECT_EQ(xml_element_text("<Code a=\"1\">z</Code>", "Code"), "z");
  EXPECT_EQ(xml_element_text("<Code/>", "Code"), "");
  EXPECT_EQ(xml_element_text("<Code>&lt;&gt;&quot;&apos;&#x2B;</Code>", "Code"), "<>\"'+");
  // Not well-formed: no element can be trusted.
  EXPECT_EQ(xml_element_text("<Code>&unknown;</Code>", "Code"), std::nullopt);
  EXPECT_EQ(xml_element_text("<Error><Code>x</Code>", "Code"), std::nullopt);
}

TEST(XmlText, Escaping) {
  EXPECT_EQ(xml_escaped("\"etag\" <&> 'x'"), "&quot;etag&quot; &lt;&amp;&gt; 'x'");
  EXPECT_EQ(xml_element_text("<E>" + xml_escaped("a<b>&\"c'") + "</E>", "E"), "a<b>&\"c'");
}

}  // namespace
}  // namespace shardpipe::s3
