// Test main: the shared peers (started on first use) are stopped, by PID,
// before the program exits, whatever the tests did.
#include "support.hpp"

#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char** argv) {
    // A peer that closes a connection must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    ::testing::InitGoogleTest(&argc, argv);
    int rc = 1;
    try {
        rc = RUN_ALL_TESTS();
    } catch (...) {
        smtp_it::stop_all_peers();
        throw;
    }
    smtp_it::stop_all_peers();
    return rc;
}
