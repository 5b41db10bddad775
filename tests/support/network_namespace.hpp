// A private network namespace for tests whose servers cannot be told which address to bind
// (DynamoDB Local listens on every interface): inside it loopback is the only interface, so
// nothing outside the test can reach them, and they can reach nothing outside.
#pragma once

#include <functional>

namespace shardpipe::testing {

// Moves this process into a new, private network namespace (unshare(CLONE_NEWNET)) and brings
// its loopback interface up. Every process it starts afterwards (servers, clients, the shardpipe
// binary) is in the namespace too. Needs CAP_SYS_ADMIN (root); throws std::runtime_error saying
// so when it is not permitted.
//
// Call it before any thread starts (first thing in a gtest Environment's SetUp or a fixture's
// SetUpTestSuite): a namespace belongs to a thread, and threads already running stay in the old
// one. Calling it again is a no-op.
void enter_private_network_namespace();

// True once enter_private_network_namespace() succeeded in this process.
bool in_private_network_namespace();

// Runs `work` on a new thread that joins the network namespace this process was in before
// enter_private_network_namespace(), and waits for it (exceptions are passed on): e.g. to check
// that a server started in the private namespace is not reachable from outside. Throws when the
// process has not entered a private namespace.
void run_in_original_network_namespace(const std::function<void()>& work);

// True when something accepts TCP connections on 127.0.0.1:`port` in this thread's namespace.
bool loopback_port_accepts(int port);

}  // namespace shardpipe::testing
