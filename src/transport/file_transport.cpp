#include <lettre/transport/file_transport.hpp>

#include "detail/json_string.hpp"
#include "detail/random.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <optional>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace lettre {
namespace {

using detail::json_string;

std::string envelope_json(const envelope& env) {
    std::string out = "{\"from\": ";
    out += env.from() ? json_string(env.from()->to_string()) : "null";
    out += ", \"to\": [";
    for (std::size_t i = 0; i < env.to().size(); ++i) {
        if (i) out += ", ";
        out += json_string(env.to()[i].to_string());
    }
    out += "]}\n";
    return out;
}

error_info io_failure(const std::filesystem::path& p, int err) {
    return make_error(errc::io_error, fmt::format("cannot write {}: {}", p.string(),
                                                  std::generic_category().message(err)));
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ::ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Writes `data` to a new file `path` (never an existing one) and flushes
/// it to the disk; the errno of the first failure, or 0.
int write_synced(const std::filesystem::path& path, std::string_view data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int err = 0;
    if (!write_all(fd, data) || ::fsync(fd) != 0) err = errno != 0 ? errno : EIO;
    if (::close(fd) != 0 && err == 0) err = errno != 0 ? errno : EIO;
    return err;
}

/// Flushes the directory entries (the renames) to the disk; the errno or 0.
int sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int err = ::fsync(fd) != 0 ? errno : 0;
    ::close(fd);
    return err;
}

/// Both files of a delivery, committed by the rename of the .eml: the .json
/// is in place first, so a reader that picks up `<id>.eml` always finds
/// its envelope, and a crash leaves at most a .json without .eml (or
/// hidden temporary files), never a message without its envelope.
std::optional<error_info> write_pair(const file_transport::delivery& d, std::string_view bytes,
                                     std::string_view json) {
    const auto dir = d.eml_path.parent_path();
    // Dot-names: readers that list *.eml or *.json never see them.
    const auto eml_tmp = dir / ("." + d.id + ".eml.tmp");
    const auto json_tmp = dir / ("." + d.id + ".json.tmp");
    auto undo = [&](const std::filesystem::path& failed, int err) {
        ::unlink(eml_tmp.c_str());
        ::unlink(json_tmp.c_str());
        ::unlink(d.json_path.c_str());
        return io_failure(failed, err);
    };
    if (int err = write_synced(eml_tmp, bytes)) return undo(eml_tmp, err);
    if (int err = write_synced(json_tmp, json)) return undo(json_tmp, err);
    if (::rename(json_tmp.c_str(), d.json_path.c_str()) != 0) return undo(d.json_path, errno);
    if (::rename(eml_tmp.c_str(), d.eml_path.c_str()) != 0) return undo(d.eml_path, errno);
    // The message is in place; a failed directory sync means it may not
    // survive a crash, which the caller must know.
    if (int err = sync_directory(dir)) return io_failure(dir, err);
    return std::nullopt;
}

}  // namespace

file_transport::file_transport(std::filesystem::path directory) : dir_(std::move(directory)) {}

result<file_transport::delivery> file_transport::try_send_raw(const envelope& env,
                                                              std::string_view bytes) const {
    if (env.to().empty())
        return make_error(errc::missing_recipient, "the envelope has no recipient");
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec || !std::filesystem::is_directory(dir_))
        return make_error(errc::io_error, fmt::format("cannot use {} as outbox: {}", dir_.string(),
                                                      ec ? ec.message() : "not a directory"));
    delivery d;
    d.id = detail::random_token(24);
    d.eml_path = dir_ / (d.id + ".eml");
    d.json_path = dir_ / (d.id + ".json");
    if (auto e = write_pair(d, bytes, envelope_json(env))) return std::move(*e);
    return d;
}

file_transport::delivery file_transport::send_raw(const envelope& env,
                                                  std::string_view bytes) const {
    auto r = try_send_raw(env, bytes);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

result<file_transport::delivery> file_transport::try_send(const message& msg) const {
    return try_send_raw(msg.envelope(), msg.formatted());
}

file_transport::delivery file_transport::send(const message& msg) const {
    auto r = try_send(msg);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

file_transport::delivery file_transport::send(const message& msg, std::error_code& ec) const {
    auto r = try_send(msg);
    if (!r) {
        ec = r.error().code;
        return {};
    }
    ec.clear();
    return std::move(*r);
}

file_transport::delivery file_transport::send_raw(const envelope& env, std::string_view bytes,
                                                  std::error_code& ec) const {
    auto r = try_send_raw(env, bytes);
    if (!r) {
        ec = r.error().code;
        return {};
    }
    ec.clear();
    return std::move(*r);
}

}  // namespace lettre
