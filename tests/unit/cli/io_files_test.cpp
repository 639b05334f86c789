// The CLI's bounded readers (src/cli/io_files.cpp): they stop at the limit
// and say which input and which limit.
#include "cli/io_files.hpp"
#include "cli/cli_error.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string>

namespace {

using lettre::cli::cli_error;
using lettre::cli::exit_code;
using lettre::cli::line_status;

/// An endless input of one byte (like /dev/zero) that counts what was taken
/// from it; no buffer of its own, so every byte read is counted.
class endless_buf : public std::streambuf {
public:
    explicit endless_buf(char fill) : fill_(fill) {}
    std::size_t taken() const noexcept { return taken_; }

protected:
    int_type underflow() override { return traits_type::to_int_type(fill_); }
    int_type uflow() override {
        ++taken_;
        return traits_type::to_int_type(fill_);
    }
    std::streamsize xsgetn(char* s, std::streamsize n) override {
        for (std::streamsize i = 0; i < n; ++i) s[i] = fill_;
        taken_ += static_cast<std::size_t>(n);
        return n;
    }

private:
    char fill_;
    std::size_t taken_ = 0;
};

TEST(cli_io_files, ReadInputStopsOneBytePastTheLimit) {
    endless_buf buf('\0');
    std::istream in(&buf);
    try {
        static_cast<void>(lettre::cli::read_input("--ca", "-", in, 4096));
        FAIL() << "an endless input was accepted";
    } catch (const cli_error& e) {
        EXPECT_EQ(e.code(), exit_code::data_error);
        EXPECT_NE(std::string(e.what()).find("--ca standard input"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4 KiB"), std::string::npos) << e.what();
    }
    EXPECT_LE(buf.taken(), 4097U);
}

TEST(cli_io_files, ReadInputUpToTheLimitIsWhole) {
    std::istringstream exact(std::string(4096, 'x'));
    EXPECT_EQ(lettre::cli::read_input("--ca", "-", exact, 4096).size(), 4096U);
    std::istringstream over(std::string(4097, 'x'));
    EXPECT_THROW(static_cast<void>(lettre::cli::read_input("--ca", "-", over, 4096)), cli_error);
}

TEST(cli_io_files, ReadLineStopsAtTheLimit) {
    endless_buf buf('a');
    std::istream in(&buf);
    std::string line;
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::too_long);
    EXPECT_EQ(line.size(), 100U);
    EXPECT_LE(buf.taken(), 101U);
}

TEST(cli_io_files, ReadLineSplitsLines) {
    std::istringstream in("one\r\n\ntwo-" + std::string(96, 'x') + "\nlast");
    std::string line;
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::line);
    EXPECT_EQ(line, "one\r");
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::line);
    EXPECT_EQ(line, "");
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::line);
    EXPECT_EQ(line.size(), 100U);
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::line);
    EXPECT_EQ(line, "last");
    EXPECT_EQ(lettre::cli::read_line(in, line, 100), line_status::end);
}

TEST(cli_io_files, FirstLineOfAnEndlessInputIsRefused) {
    endless_buf buf('p');
    std::istream in(&buf);
    try {
        static_cast<void>(lettre::cli::read_first_line("--password-file", "-", in, 4096));
        FAIL() << "an endless line was accepted";
    } catch (const cli_error& e) {
        EXPECT_EQ(e.code(), exit_code::data_error);
        EXPECT_NE(std::string(e.what()).find("--password-file"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4 KiB"), std::string::npos) << e.what();
    }
    EXPECT_LE(buf.taken(), 4097U);
    std::istringstream two("secret\nsecond line\n");
    EXPECT_EQ(lettre::cli::read_first_line("--password-file", "-", two, 4096), "secret");
}

TEST(cli_io_files, DevZeroIsRefusedByItsLimit) {
    std::istringstream no_stdin;
    EXPECT_THROW(static_cast<void>(lettre::cli::read_input("--key", "/dev/zero", no_stdin, 65536)),
                 cli_error);
    EXPECT_THROW(static_cast<void>(
                     lettre::cli::read_first_line("--password-file", "/dev/zero", no_stdin, 4096)),
                 cli_error);
}

}  // namespace
