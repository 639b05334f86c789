// Policy caches (RFC 8461 §5.1): in memory, or one file per domain in a
// directory so that short-lived processes keep their policies.
#include <lettre/transport/mta_sts.hpp>

#include "detail/utf8.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <map>
#include <mutex>

namespace lettre::mta_sts {

namespace fs = std::filesystem;

policy_cache::~policy_cache() = default;

namespace {

class memory_policy_cache final : public policy_cache {
public:
    std::optional<cached_policy> load(std::string_view domain) override {
        std::lock_guard lock(mutex_);
        const auto it = entries_.find(lettre::detail::to_lower_ascii(domain));
        if (it == entries_.end()) return std::nullopt;
        return it->second;
    }
    std::error_code store(std::string_view domain, const cached_policy& p) override {
        std::lock_guard lock(mutex_);
        entries_.insert_or_assign(lettre::detail::to_lower_ascii(domain), p);
        return {};
    }

private:
    std::mutex mutex_;
    std::map<std::string, cached_policy, std::less<>> entries_;
};

constexpr std::string_view file_magic = "lettre-mta-sts-cache 1\n";
/// The header (magic, id, time) never takes more than this.
constexpr std::size_t max_header_size = 256;

/// A domain usable as a file name: lower-case letters, digits, '-', '.',
/// not starting with '.' (no hidden files, no "..", no '/').
std::optional<std::string> file_name(std::string_view domain) {
    if (domain.empty() || domain.size() > 253 || domain.front() == '.') return std::nullopt;
    std::string name = lettre::detail::to_lower_ascii(domain);
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return std::nullopt;
    return name + ".policy";
}

std::optional<std::string> read_bounded(const fs::path& p, std::size_t limit) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::string data(limit + 1, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got > limit || in.bad()) return std::nullopt;
    data.resize(got);
    return data;
}

/// "<prefix><value>\n" at the front of `s`: the value, `s` advanced past it.
std::optional<std::string_view> header_line(std::string_view& s, std::string_view prefix) {
    if (!s.starts_with(prefix)) return std::nullopt;
    const auto lf = s.find('\n');
    if (lf == std::string_view::npos) return std::nullopt;
    const auto value = s.substr(prefix.size(), lf - prefix.size());
    s.remove_prefix(lf + 1);
    return value;
}

std::optional<cached_policy> decode(std::string_view s) {
    if (!s.starts_with(file_magic)) return std::nullopt;
    s.remove_prefix(file_magic.size());
    const auto id = header_line(s, "id ");
    const auto fetched = header_line(s, "fetched ");
    if (!id || !fetched || !s.starts_with('\n')) return std::nullopt;
    s.remove_prefix(1);
    std::int64_t seconds = 0;
    const auto* end = fetched->data() + fetched->size();
    if (std::from_chars(fetched->data(), end, seconds).ptr != end) return std::nullopt;
    auto parsed = parse_policy(s);
    if (!parsed || !parse_sts_record("v=STSv1; id=" + std::string(*id))) return std::nullopt;
    return cached_policy{std::move(*parsed), std::string(*id),
                         std::chrono::system_clock::time_point(std::chrono::seconds(seconds))};
}

std::string encode(const cached_policy& p) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(p.fetched.time_since_epoch()).count();
    return fmt::format("{}id {}\nfetched {}\n\n{}", file_magic, p.id, seconds, p.value.text);
}

std::error_code last_error() {
    return {errno, std::generic_category()};
}

/// Writes `data` to `fd` completely, then fsyncs it.
std::error_code write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd) != 0) return last_error();
    return {};
}

class directory_policy_cache final : public policy_cache {
public:
    explicit directory_policy_cache(fs::path dir) : dir_(std::move(dir)) {}

    std::optional<cached_policy> load(std::string_view domain) override {
        const auto name = file_name(domain);
        if (!name) return std::nullopt;
        const auto data = read_bounded(dir_ / *name, max_policy_size + max_header_size);
        if (!data) return std::nullopt;
        return decode(*data);
    }

    std::error_code store(std::string_view domain, const cached_policy& p) override {
        const auto name = file_name(domain);
        if (!name) return make_error_code(errc::invalid_domain);
        // A name of its own per writer: processes sharing the directory
        // never write the same temporary file.
        const fs::path tmp = dir_ / fmt::format(".{}.{}.{}.tmp", *name, ::getpid(), ++counter_);
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) return last_error();
        auto ec = write_all(fd, encode(p));
        if (::close(fd) != 0 && !ec) ec = last_error();
        if (!ec && ::rename(tmp.c_str(), (dir_ / *name).c_str()) != 0) ec = last_error();
        if (ec) {
            ::unlink(tmp.c_str());
            return ec;
        }
        return sync_directory();
    }

private:
    /// The rename itself survives a crash only once the directory is synced.
    std::error_code sync_directory() const {
        const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return last_error();
        std::error_code ec;
        if (::fsync(fd) != 0) ec = last_error();
        ::close(fd);
        return ec;
    }

    fs::path dir_;
    std::atomic<unsigned> counter_{0};
};

}  // namespace

std::shared_ptr<policy_cache> memory_cache() {
    return std::make_shared<memory_policy_cache>();
}

result<std::shared_ptr<policy_cache>> directory_cache(fs::path dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec))
        return make_error(errc::io_error,
                          fmt::format("MTA-STS cache directory {}: {}", dir.string(),
                                      ec ? ec.message() : "not a directory"));
    return std::shared_ptr<policy_cache>(std::make_shared<directory_policy_cache>(std::move(dir)));
}

}  // namespace lettre::mta_sts
