#include <lettre/transport/file_transport.hpp>

#include "detail/random.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace lettre {
namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += fmt::format("\\u{:04x}", u);
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

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

error_info io_failure(const std::filesystem::path& p, std::string_view what) {
    return make_error(errc::io_error, fmt::format("cannot write {}: {}", p.string(), what));
}

/// Writes to a temporary name then renames, so a reader never sees half a file.
std::optional<error_info> write_file(const std::filesystem::path& path, std::string_view data) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return io_failure(tmp, std::strerror(errno));
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            return io_failure(tmp, "write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return io_failure(path, ec.message());
    }
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
    if (auto e = write_file(d.eml_path, bytes)) return std::move(*e);
    if (auto e = write_file(d.json_path, envelope_json(env))) {
        std::filesystem::remove(d.eml_path, ec);
        return std::move(*e);
    }
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
