#include "net/url_for_messages.hpp"

#include <gtest/gtest.h>

namespace shardpipe::net {
namespace {

TEST(UrlForMessages, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(url_for_messages("https://user:s3cret@example.com/hooks/orders?token=abc#part"),
            "https://example.com/hooks/orders");
  EXPECT_EQ(url_for_messages("http://127.0.0.1:8080/batches?key=value"),
            "http://127.0.0.1:8080/batches");
}

TEST(UrlForMessages, KeepsAPlainUrl) {
  EXPECT_EQ(url_for_messages("http://127.0.0.1:8080/batches"), "http://127.0.0.1:8080/batches");
}

TEST(UrlForMessages, NeverShowsWhatItCannotParse) {
  auto shown = url_for_messages("http://user:s3cret@[broken");
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
}

}  // namespace
}  // namespace shardpipe::net
