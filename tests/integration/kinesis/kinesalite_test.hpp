// The fixture of the Kinesis tests: a fresh folder, fake credentials, and a kinesalite of its
// own for every test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "kinesis_peer.hpp"

namespace shardpipe::testing {

class KinesaliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_test_dir(
        "kinesis-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    use_test_credentials();
    kinesalite_ = std::make_unique<ListeningPeer>(start_kinesalite(dir_));
  }
  void TearDown() override {
    kinesalite_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::string endpoint() const { return kinesalite_->endpoint(); }

  std::filesystem::path dir_;
  std::unique_ptr<ListeningPeer> kinesalite_;
};

}  // namespace shardpipe::testing
