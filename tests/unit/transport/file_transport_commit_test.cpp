// lettre::file_transport commits a delivery by renaming the .eml into place
// after the .json, and reports a failed write with the system's reason
// (docs/security.md, "Decisions on careless input").
#include "../test_util.hpp"

#include <csignal>
#include <string>
#include <vector>

#include <sys/inotify.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using namespace lettre_test;

lettre::envelope sample_envelope() {
    return lettre::envelope::create(lettre::address::parse("a@example.com"),
                                    {lettre::address::parse("b@example.org")});
}

/// The names that appeared in `dir` under their final name, in order: a
/// file created there directly (IN_CREATE) or renamed into place
/// (IN_MOVED_TO), as an inotify reader sees them.
class directory_watch {
public:
    explicit directory_watch(const fs::path& dir) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        if (fd_ < 0 || ::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO) < 0)
            ADD_FAILURE() << "inotify: " << errno;
    }
    ~directory_watch() { ::close(fd_); }
    std::vector<std::string> appeared() const {
        std::vector<std::string> names;
        alignas(inotify_event) char buf[8192];
        for (::ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) {
            for (char* p = buf; p < buf + n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(p);
                if (e->len > 0 && e->name[0] != '.') names.emplace_back(e->name);
                p += sizeof(inotify_event) + e->len;
            }
        }
        return names;
    }

private:
    int fd_;
};

}  // namespace

TEST(FileTransportCommit, JsonIsInPlaceBeforeTheEml) {
    temp_dir dir;
    lettre::file_transport t(dir.path());
    static_cast<void>(t.send_raw(sample_envelope(), "Subject: x\r\n\r\nx\r\n"));  // dir exists
    directory_watch watch(dir.path());
    const auto d = t.send_raw(sample_envelope(), "Subject: y\r\n\r\ny\r\n");
    const std::vector<std::string> expected{d.id + ".json", d.id + ".eml"};
    EXPECT_EQ(watch.appeared(), expected)
        << "a reader of *.eml must never find a message without its envelope";
}

namespace {

/// Files larger than `bytes` cannot be written (EFBIG) while it lives.
class file_size_limit {
public:
    explicit file_size_limit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG rather than death
        rlimit lim = saved_;
        lim.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lim);
    }
    ~file_size_limit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

}  // namespace

TEST(FileTransportCommit, WriteFailureGivesTheReasonAndLeavesNothing) {
    temp_dir dir;
    lettre::file_transport t(dir.path());
    lettre::result<lettre::file_transport::delivery> r =
        lettre::make_error(lettre::errc::io_error, "");
    {
        file_size_limit limit(64);
        r = t.try_send_raw(sample_envelope(), "Subject: big\r\n\r\n" + std::string(4096, 'x'));
    }
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, lettre::errc::io_error);
    EXPECT_NE(r.error().message.find("File too large"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(dir.path().string()), std::string::npos) << r.error().message;
    EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing is left behind, temporary files included";
}
