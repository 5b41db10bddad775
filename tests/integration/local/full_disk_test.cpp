// A full disk (ENOSPC) under the file target: the pipe logs "No space left on device", retries,
// and never checkpoints past a record that is not durably written; once space is freed it
// finishes with every record delivered exactly once and no temporary file left behind.
// Needs to mount a small tmpfs; skipped where that is not permitted.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "local_pipe.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using shardpipe::testing::BackgroundProcess;
using shardpipe::testing::fresh_test_dir;
using shardpipe::testing::write_file;
namespace t = shardpipe::testing;

const std::string binary = SHARDPIPE_BINARY;

// A tmpfs mounted on a folder for the life of the guard.
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    auto options = "size=" + size;
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() { unmount(); }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool resize(const std::string& size) {
    auto options = "size=" + size;
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }
  void unmount() {
    if (mounted_ && ::umount2(dir_.c_str(), MNT_DETACH) == 0) mounted_ = false;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST(FullDisk, RetriesWithoutCheckpointingAndDeliversOnceSpaceIsFreed) {
  auto dir = fresh_test_dir("full-disk");
  TmpfsMount disk(dir / "out", "256k");
  if (!disk.mounted()) {
    std::printf("cannot mount a tmpfs (%s); skipping\n", disk.error().c_str());
    fs::remove_all(dir);
    GTEST_SKIP() << "mounting a tmpfs is not permitted here: " << disk.error();
  }

  t::create_log(binary, dir / "log", 2);
  // About 600 KiB of envelopes: far more than 256 KiB of disk.
  std::vector<std::string> lines;
  for (int i = 0; i < 600; ++i) {
    lines.push_back(
        fmt::format(R"({{"k":"key-{}","n":{},"pad":"{}"}})", i, i, std::string(300, 'a' + i % 26)));
  }
  auto put = t::put_records(binary, dir / "log", lines, {"--partition-key-field", "k"});
  write_file(dir / "pipe.yaml", R"(name: full
source:
  type: local
  path: ./log
target:
  type: file
  path: ./out
  records_per_file: 50
retry: {backoff_initial: 50ms, backoff_max: 500ms}
checkpoint:
  lease_duration: 2s
shutdown_timeout: 3s
)");

  {
    BackgroundProcess pipe({binary, "run", (dir / "pipe.yaml").string(), "--stop-when-idle", "2s"},
                           dir / "pipe.log");
    ASSERT_TRUE(t::wait_until(
        [&] { return pipe.output().find("No space left on device") != std::string::npos; }, 30s))
        << pipe.output();
    EXPECT_NE(pipe.output().find((dir / "out").string()), std::string::npos)
        << "the warning should name the file it could not write\n"
        << pipe.output();

    // Stuck, for longer than --stop-when-idle, and checkpointed only what is on disk.
    for (int look = 0; look < 3; ++look) {
      std::this_thread::sleep_for(1s);
      auto stored = t::checkpoints(binary, dir / "pipe.yaml");
      auto delivered = t::read_file_target(dir / "out");
      EXPECT_EQ(t::checkpoints_covered(put, delivered, stored), "");
      EXPECT_LT(delivered.size(), put.size()) << "everything fit: the disk was not full";
    }
    ASSERT_TRUE(pipe.running()) << "gave up on a full disk\n" << pipe.output();

    ASSERT_TRUE(disk.resize("64m")) << std::strerror(errno);
    auto exit_code = pipe.wait_for(60s);
    ASSERT_TRUE(exit_code.has_value()) << "did not finish once space was freed\n" << pipe.output();
    EXPECT_EQ(*exit_code, 0) << pipe.output();
  }
  EXPECT_EQ(t::exactly_once(put, t::read_file_target(dir / "out")), "");
  EXPECT_TRUE(t::stray_files(dir / "out").empty()) << "temporary files left behind";
  EXPECT_EQ(t::checkpointed_to_the_end(binary, dir / "pipe.yaml", put), "");

  disk.unmount();
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace shardpipe
