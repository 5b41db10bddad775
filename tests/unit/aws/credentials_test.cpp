// Credentials and region from the environment and the shared files, with a fake environment and
// files in a temporary folder.
#include "aws/credentials.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "process.hpp"

namespace shardpipe::aws {
namespace {

namespace fs = std::filesystem;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::write_file;

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

EnvironmentLookup environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    auto it = variables.find(std::string(name));
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    home_ = fresh_test_dir(std::string("aws-credentials-") + info->name());
  }
  void write_credentials(const std::string& text) { write_file(home_ / ".aws/credentials", text); }
  void write_config(const std::string& text) { write_file(home_ / ".aws/config", text); }
  std::map<std::string, std::string> home() const { return {{"HOME", home_.string()}}; }

  fs::path home_;
};

TEST_F(CredentialsTest, TheEnvironmentWins) {
  write_credentials("[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = filekey\n");
  auto variables = home();
  variables["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
  variables["AWS_SECRET_ACCESS_KEY"] = secret;
  variables["AWS_SESSION_TOKEN"] = "token";
  auto credentials = load_credentials({}, environment(variables));
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(credentials->secret_access_key, secret);
  EXPECT_EQ(credentials->session_token, "token");
}

TEST_F(CredentialsTest, HalfTheKeysInTheEnvironmentIsAnError) {
  auto variables = home();
  variables["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
  auto credentials = load_credentials({}, environment(variables));
  ASSERT_FALSE(credentials.has_value());
  EXPECT_EQ(credentials.error().kind, ErrorClass::fatal);
  EXPECT_NE(credentials.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(CredentialsTest, DefaultProfileOfTheCredentialsFile) {
  write_credentials(
      "# keys for the default profile\n"
      "[default]\n"
      "aws_access_key_id = AKIDEXAMPLE\n"
      "aws_secret_access_key = " +
      secret + "\n");
  auto credentials = load_credentials({}, environment(home()));
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(credentials->secret_access_key, secret);
  EXPECT_EQ(credentials->session_token, "");
}

TEST_F(CredentialsTest, ProfileFromAwsProfileWithASessionToken) {
  write_credentials(
      "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = x\n"
      "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\n"
      "aws_session_token = devtoken\n");
  auto variables = home();
  variables["AWS_PROFILE"] = "dev";
  auto credentials = load_credentials({}, environment(variables));
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "DEVKEY");
  EXPECT_EQ(credentials->session_token, "devtoken");

  // The argument wins over AWS_PROFILE.
  auto chosen = load_credentials("default", environment(variables));
  ASSERT_TRUE(chosen.has_value()) << chosen.error().message;
  EXPECT_EQ(chosen->access_key_id, "DEFAULTKEY");
}

TEST_F(CredentialsTest, ConfigFileAfterTheCredentialsFile) {
  write_credentials("[other]\naws_access_key_id = OTHER\naws_secret_access_key = x\n");
  write_config(
      "[default]\n"
      "region = eu-west-1\n"
      "[profile dev]\n"
      "region = us-west-2\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "; keys here too\n"
      "aws_access_key_id = CONFIGKEY\n"
      "aws_secret_access_key = configsecret\n"
      "[dev]\n"
      "aws_access_key_id = NOTTHISONE\n"
      "aws_secret_access_key = x\n");
  auto credentials = load_credentials("dev", environment(home()));
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  // "[dev]" is not a profile in the config file: only "[profile dev]" is.
  EXPECT_EQ(credentials->access_key_id, "CONFIGKEY");
  EXPECT_EQ(credentials->secret_access_key, "configsecret");
}

TEST_F(CredentialsTest, FilesNamedByTheEnvironmentWithHomeExpanded) {
  write_file(home_ / "elsewhere/creds",
             "[default]\naws_access_key_id = ELSEWHERE\naws_secret_access_key = x\n");
  auto variables = home();
  variables["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds";
  auto credentials = load_credentials({}, environment(variables));
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ELSEWHERE");
}

TEST_F(CredentialsTest, AMissingProfileNamesWhereItLookedAndNoSecret) {
  write_credentials(
      "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = " + secret + "\n");
  auto credentials = load_credentials("prod", environment(home()));
  ASSERT_FALSE(credentials.has_value());
  const auto& error = credentials.error();
  EXPECT_EQ(error.kind, ErrorClass::fatal);
  EXPECT_NE(error.message.find("\"prod\""), std::string::npos) << error.message;
  EXPECT_NE(error.message.find((home_ / ".aws/credentials").string()), std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find((home_ / ".aws/config").string()), std::string::npos)
      << error.message;
  EXPECT_EQ(error.message.find(secret), std::string::npos);
}

TEST_F(CredentialsTest, NoFilesAtAll) {
  auto credentials = load_credentials({}, environment(home()));
  ASSERT_FALSE(credentials.has_value());
  EXPECT_NE(credentials.error().message.find("missing"), std::string::npos)
      << credentials.error().message;
  auto without_home = load_credentials({}, environment({}));
  ASSERT_FALSE(without_home.has_value());
  EXPECT_NE(without_home.error().message.find("HOME"), std::string::npos)
      << without_home.error().message;
}

TEST_F(CredentialsTest, MissingKeysAreNamedWithoutTheOtherOne) {
  write_credentials("[default]\naws_secret_access_key = " + secret + "\n");
  auto credentials = load_credentials({}, environment(home()));
  ASSERT_FALSE(credentials.has_value());
  EXPECT_NE(credentials.error().message.find("aws_access_key_id"), std::string::npos)
      << credentials.error().message;
  EXPECT_EQ(credentials.error().message.find(secret), std::string::npos);
}

TEST_F(CredentialsTest, AnUnsupportedSourceIsNamed) {
  write_config(
      "[profile assume]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
      "source_profile = default\n");
  auto credentials = load_credentials("assume", environment(home()));
  ASSERT_FALSE(credentials.has_value());
  EXPECT_NE(credentials.error().message.find("role_arn"), std::string::npos)
      << credentials.error().message;
}

TEST_F(CredentialsTest, AMalformedFileNamesFileAndLineButNotItsText) {
  write_credentials("[default]\n" + secret + "\n");
  auto credentials = load_credentials({}, environment(home()));
  ASSERT_FALSE(credentials.has_value());
  const auto& message = credentials.error().message;
  EXPECT_EQ(credentials.error().kind, ErrorClass::fatal);
  EXPECT_NE(message.find((home_ / ".aws/credentials").string()), std::string::npos) << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
  EXPECT_EQ(message.find(secret), std::string::npos);
}

TEST_F(CredentialsTest, RegionOrder) {
  write_config("[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n");
  auto variables = home();
  EXPECT_EQ(resolve_region("ap-south-1", {}, environment(variables)).value(), "ap-south-1");
  EXPECT_EQ(resolve_region({}, {}, environment(variables)).value(), "eu-west-1");
  EXPECT_EQ(resolve_region({}, "dev", environment(variables)).value(), "us-west-2");
  variables["AWS_DEFAULT_REGION"] = "ca-central-1";
  EXPECT_EQ(resolve_region({}, "dev", environment(variables)).value(), "ca-central-1");
  variables["AWS_REGION"] = "sa-east-1";
  EXPECT_EQ(resolve_region({}, "dev", environment(variables)).value(), "sa-east-1");
  EXPECT_EQ(resolve_region("ap-south-1", {}, environment(variables)).value(), "ap-south-1");
}

TEST_F(CredentialsTest, NoRegionAnywhere) {
  write_config("[profile dev]\noutput = json\n");
  auto region = resolve_region({}, "dev", environment(home()));
  ASSERT_FALSE(region.has_value());
  EXPECT_EQ(region.error().kind, ErrorClass::fatal);
  EXPECT_NE(region.error().message.find("AWS_REGION"), std::string::npos);
  EXPECT_NE(region.error().message.find((home_ / ".aws/config").string()), std::string::npos)
      << region.error().message;
}

}  // namespace
}  // namespace shardpipe::aws
