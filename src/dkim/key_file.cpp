#include <lettre/dkim/key_file.hpp>

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <system_error>
#include <utility>

namespace lettre::dkim {

result<private_key> try_load_key_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return make_error(errc::file_not_found,
                          fmt::format("cannot read key {}: no such file", path.string()));
    if (std::filesystem::is_directory(path, ec))
        return make_error(errc::file_unreadable,
                          fmt::format("cannot read key {}: it is a directory", path.string()));
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(errc::file_unreadable, fmt::format("cannot read key {}", path.string()));
    // One byte more than the limit tells a file too large without reading
    // all of it (/dev/zero, a FIFO that never ends).
    std::string data(max_key_file_size + 1, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (in.bad())
        return make_error(errc::file_unreadable, fmt::format("cannot read key {}", path.string()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    if (data.size() > max_key_file_size)
        return make_error(errc::invalid_key,
                          fmt::format("key {} is larger than {} bytes: not a DKIM key file",
                                      path.string(), max_key_file_size));
    auto key = private_key::try_load(data);
    if (!key) {
        error_info e = std::move(key).error();
        e.message = fmt::format("key {}: {}", path.string(), e.message);
        return e;
    }
    return key;
}

private_key load_key_file(const std::filesystem::path& path) {
    auto r = try_load_key_file(path);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

}  // namespace lettre::dkim
