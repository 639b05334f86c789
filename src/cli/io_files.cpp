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
