#include "io_files.hpp"

#include "cli_error.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lettre::cli {
namespace {

std::string reason(int err) {
    return std::generic_category().message(err);
}

cli_error no_input(std::string_view option, const std::string& path, const std::string& why) {
    return {exit_code::no_input,
            std::string(option) + ": cannot read " + in_quotes(path) + ": " + why};
}

cli_error cannot_write(const std::string& path, int err) {
    return {exit_code::failure, "cannot write " + in_quotes(path) + ": " + reason(err)};
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ::ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Fills the open file `fd` and closes it; the errno of the first failure,
/// or 0.
int fill_and_close(int fd, std::string_view bytes) {
    int err = 0;
    // 0600 whatever the umask (open's mode can only lose bits to it).
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0 || !write_all(fd, bytes) || ::fsync(fd) != 0) {
        err = errno != 0 ? errno : EIO;
    }
    if (::close(fd) != 0 && err == 0) err = errno != 0 ? errno : EIO;
    return err;
}

/// The file, opened after the checks that give the clearest errors.
std::ifstream open_input(std::string_view option, const std::string& path) {
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
    return file;
}

cli_error too_large(std::string_view option, const std::string& path, std::size_t limit,
                    std::string_view what) {
    const std::string shown = path == "-" ? "standard input" : in_quotes(path);
    return {exit_code::data_error, std::string(option) + " " + shown + ": " + std::string(what) +
                                       " is larger than " + size_text(limit) +
                                       ", the limit for this input"};
}

/// Up to `limit` + 1 bytes of `in`: one more than allowed tells "too large".
std::string read_bounded(std::istream& in, std::size_t limit) {
    std::string out;
    std::array<char, 16 * 1024> chunk{};
    while (out.size() <= limit) {
        const std::size_t want = std::min(chunk.size(), limit + 1 - out.size());
        in.read(chunk.data(), static_cast<std::streamsize>(want));
        const auto got = static_cast<std::size_t>(in.gcount());
        out.append(chunk.data(), got);
        if (got < want) break;
    }
    return out;
}

}  // namespace

std::string size_text(std::size_t bytes) {
    constexpr std::size_t kib = 1024;
    if (bytes >= kib * kib && bytes % (kib * kib) == 0) {
        return std::to_string(bytes / (kib * kib)) + " MiB";
    }
    if (bytes >= kib && bytes % kib == 0) return std::to_string(bytes / kib) + " KiB";
    return std::to_string(bytes) + " bytes";
}

line_status read_line(std::istream& in, std::string& line, std::size_t limit) {
    line.clear();
    // get() one byte at a time stops exactly at the LF or past the limit
    // (the stream's own buffer is what reads ahead, a bounded amount).
    for (int c = in.get(); c != std::char_traits<char>::eof(); c = in.get()) {
        if (c == '\n') return line_status::line;
        if (line.size() == limit) return line_status::too_long;
        line.push_back(static_cast<char>(c));
    }
    return line.empty() ? line_status::end : line_status::line;
}

std::string read_input(std::string_view option, const std::string& path, std::istream& in) {
    if (path == "-") {
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (in.bad()) throw no_input(option, path, "error reading standard input");
        return std::move(buffer).str();
    }
    std::ifstream file = open_input(option, path);
    std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) throw no_input(option, path, reason(errno != 0 ? errno : EIO));
    return bytes;
}

std::string read_input(std::string_view option, const std::string& path, std::istream& in,
                       std::size_t limit) {
    std::ifstream file;
    if (path != "-") file = open_input(option, path);
    std::istream& from = path == "-" ? in : file;
    std::string bytes = read_bounded(from, limit);
    if (from.bad()) throw no_input(option, path, reason(errno != 0 ? errno : EIO));
    if (bytes.size() > limit) throw too_large(option, path, limit, "the file");
    return bytes;
}

std::string read_first_line(std::string_view option, const std::string& path, std::istream& in,
                            std::size_t limit) {
    std::ifstream file;
    if (path != "-") file = open_input(option, path);
    std::istream& from = path == "-" ? in : file;
    std::string line;
    const line_status status = read_line(from, line, limit);
    if (from.bad()) throw no_input(option, path, reason(errno != 0 ? errno : EIO));
    if (status == line_status::too_long) throw too_large(option, path, limit, "the first line");
    return line;
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

void write_private_file(const std::string& path, std::string_view bytes, bool replace) {
    errno = 0;
    if (!replace) {
        // O_EXCL: never follows a symlink, never replaces anything.
        const int fd =
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
        if (fd < 0) {
            if (errno == EEXIST) {
                throw cli_error(exit_code::failure, "cannot write " + in_quotes(path) +
                                                        ": the file exists (give --force to "
                                                        "replace it)");
            }
            throw cannot_write(path, errno);
        }
        if (const int err = fill_and_close(fd, bytes)) {
            ::unlink(path.c_str());
            throw cannot_write(path, err);
        }
        return;
    }
    std::string temp = path + ".XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
    if (fd < 0) throw cannot_write(path, errno);
    int err = fill_and_close(fd, bytes);
    if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) err = errno != 0 ? errno : EIO;
    if (err != 0) {
        ::unlink(temp.c_str());
        throw cannot_write(path, err);
    }
}

void remove_written_file(const std::string& path) noexcept {
    ::unlink(path.c_str());
}

}  // namespace lettre::cli
