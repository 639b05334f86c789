#include <lettre/message/files.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

namespace lettre {
namespace {

result<std::string> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        return make_error(errc::file_not_found,
                          fmt::format("cannot read {}: no such file", path.string()));
    if (std::filesystem::is_directory(status))
        return make_error(errc::file_unreadable,
                          fmt::format("cannot read {}: it is a directory", path.string()));
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(errc::file_unreadable,
                          fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    std::string data;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) data.reserve(static_cast<std::size_t>(size));
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad())
        return make_error(errc::file_unreadable,
                          fmt::format("cannot read {}: read error", path.string()));
    return data;
}

}  // namespace

result<part> try_attachment_file(const std::filesystem::path& path,
                                 std::optional<content_type> type,
                                 std::optional<std::string> filename) {
    auto data = read_file(path);
    if (!data) return std::move(data).error();
    const std::string name = filename ? *filename : path.filename().string();
    part p = part::attachment(name, std::move(*data), std::move(type));
    if (p.error()) return *p.error();
    return p;
}

part attachment_file(const std::filesystem::path& path, std::optional<content_type> type,
                     std::optional<std::string> filename) {
    auto r = try_attachment_file(path, std::move(type), std::move(filename));
    if (!r) throw lettre::error(std::move(r).error());
    return std::move(*r);
}

result<part> try_inline_file(std::string_view content_id, const std::filesystem::path& path,
                             std::optional<content_type> type) {
    auto data = read_file(path);
    if (!data) return std::move(data).error();
    content_type ct =
        type ? std::move(*type) : content_type::guess_from_filename(path.filename().string());
    part p = part::inline_body(content_id, std::move(*data), std::move(ct));
    if (p.error()) return *p.error();
    return p;
}

part inline_file(std::string_view content_id, const std::filesystem::path& path,
                 std::optional<content_type> type) {
    auto r = try_inline_file(content_id, path, std::move(type));
    if (!r) throw lettre::error(std::move(r).error());
    return std::move(*r);
}

}  // namespace lettre
