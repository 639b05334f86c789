#include "io_files.hpp"

#include "cli_error.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <system_error>

namespace lettre::cli {
namespace {

std::string reason(int err) {
    return std::generic_category().message(err);
}

cli_error no_input(std::string_view option, const std::string& path, const std::string& why) {
    return {exit_code::no_input,
            std::string(option) + ": cannot read " + in_quotes(path) + ": " + why};
}

}  // namespace

std::string read_input(std::string_view option, const std::string& path, std::istream& in) {
    if (path == "-") {
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (in.bad()) throw no_input(option, path, "error reading standard input");
        return std::move(buffer).str();
    }
    std::error_code ec;
    const std::filesystem::path fs_path(path);
    const auto status = std::filesystem::status(fs_path, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw no_input(option, path, ec ? ec.message() : reason(ENOENT));
    }
    if (std::filesystem::is_directory(status)) throw no_input(option, path, reason(EISDIR));

    errno = 0;
    std::ifstream file(fs_path, std::ios::binary);
    if (!file) throw no_input(option, path, reason(errno != 0 ? errno : EACCES));
    std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) throw no_input(option, path, reason(errno != 0 ? errno : EIO));
    return bytes;
}

void write_output(const std::string& path, std::string_view bytes, std::ostream& out) {
    if (path == "-") {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) throw cli_error(exit_code::failure, "cannot write to standard output");
        return;
    }
    errno = 0;
    std::ofstream file(std::filesystem::path(path), std::ios::binary | std::ios::trunc);
    if (file) {
        file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        file.close();
    }
    if (!file) {
        throw cli_error(exit_code::failure, "cannot write " + in_quotes(path) + ": " +
                                                reason(errno != 0 ? errno : EIO));
    }
}

}  // namespace lettre::cli
