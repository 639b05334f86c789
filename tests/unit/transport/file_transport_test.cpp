// lettre::file_transport: `<id>.eml` holds the exact bytes, `<id>.json` the
// envelope as {"from": ..., "to": [...]}; the directory is created when
// missing; failures are reported in all three forms and leave nothing behind.
#include "../test_util.hpp"

#include <sys/stat.h>
#include <set>

namespace {

using lettre::address;
using lettre::envelope;
using lettre::errc;
using lettre::file_transport;
using namespace lettre_test;

lettre::message file_sample() {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("bob@example.org, Carol <carol@example.org>")
        .bcc("hidden@example.net")
        .subject("File transport")
        .text("hello\n.\nFrom here\n");
    return must_build(b);
}

std::vector<std::string> json_strings(const json* arr) {
    std::vector<std::string> out;
    if (arr == nullptr) return out;
    for (const auto& v : arr->items) out.push_back(v.str);
    return out;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ignored;
    for (const auto& e : fs::directory_iterator(dir, ignored)) out.push_back(e.path());
    return out;
}

TEST(FileTransport, WritesEmlAndJson) {
    const temp_dir dir;
    const file_transport t(dir.path());
    EXPECT_EQ(t.directory(), dir.path());
    const lettre::message m = file_sample();
    const auto d = t.send(m);
    EXPECT_FALSE(d.id.empty());
    EXPECT_EQ(d.eml_path, dir.path() / (d.id + ".eml"));
    EXPECT_EQ(d.json_path, dir.path() / (d.id + ".json"));
    ASSERT_TRUE(fs::is_regular_file(d.eml_path));
    ASSERT_TRUE(fs::is_regular_file(d.json_path));
    EXPECT_EQ(read_file(d.eml_path), m.formatted()) << "the .eml holds the exact bytes";

    const json j = parse_json(read_file(d.json_path));
    ASSERT_EQ(j.type, json::kind::object);
    ASSERT_NE(j.get("from"), nullptr);
    EXPECT_EQ(j.get("from")->str, "alice@example.com");
    ASSERT_NE(j.get("to"), nullptr);
    ASSERT_EQ(j.get("to")->type, json::kind::array);
    EXPECT_THAT(
        json_strings(j.get("to")),
        ::testing::ElementsAre("bob@example.org", "carol@example.org", "hidden@example.net"));
    EXPECT_EQ(files_in(dir.path()).size(), 2u) << "only the two files, no temporaries left";
}

TEST(FileTransport, CreatesTheDirectory) {
    const temp_dir dir;
    const auto target = dir / "a" / "b" / "outbox";
    const file_transport t(target);
    EXPECT_FALSE(fs::exists(target)) << "created on first send, not before";
    const auto d = t.send(file_sample());
    EXPECT_TRUE(fs::is_directory(target));
    EXPECT_TRUE(fs::exists(d.eml_path));
}

TEST(FileTransport, EachSendGetsAUniqueId) {
    const temp_dir dir;
    const file_transport t(dir.path());
    std::set<std::string> ids;
    for (int i = 0; i < 20; ++i) ids.insert(t.send(file_sample()).id);
    EXPECT_EQ(ids.size(), 20u);
    EXPECT_EQ(files_in(dir.path()).size(), 40u);
}

TEST(FileTransport, IdIsASafeFileStem) {
    const temp_dir dir;
    const auto d = file_transport(dir.path()).send(file_sample());
    static const std::regex safe(R"([A-Za-z0-9._-]+)");
    EXPECT_TRUE(std::regex_match(d.id, safe)) << d.id;
    EXPECT_NE(d.id.front(), '.');
}

TEST(FileTransport, ErrorCodeAndResultFormsSucceed) {
    const temp_dir dir;
    const file_transport t(dir.path());
    std::error_code ec_out = make_error_code(std::errc::io_error);
    const auto d = t.send(file_sample(), ec_out);
    EXPECT_FALSE(ec_out) << ec_out.message();
    EXPECT_TRUE(fs::exists(d.eml_path));
    const auto r = t.try_send(file_sample());
    ASSERT_LETTRE_OK(r);
    EXPECT_TRUE(fs::exists(r->json_path));
}

TEST(FileTransport, SendRawWritesTheGivenBytes) {
    const temp_dir dir;
    const file_transport t(dir.path());
    const std::string bytes = "Subject: raw\r\n\r\nbody\r\n";
    const envelope env =
        envelope::create(address::parse("from@example.com"), {address::parse("to@example.org")});
    const auto d = t.send_raw(env, bytes);
    EXPECT_EQ(read_file(d.eml_path), bytes);
    const json j = parse_json(read_file(d.json_path));
    EXPECT_EQ(j.get("from")->str, "from@example.com");
    EXPECT_THAT(json_strings(j.get("to")), ::testing::ElementsAre("to@example.org"));
    const auto r = t.try_send_raw(env, bytes);
    ASSERT_LETTRE_OK(r);
    EXPECT_NE(r->id, d.id);
}

TEST(FileTransport, NullReversePath) {
    const temp_dir dir;
    const envelope env = envelope::create(std::nullopt, {address::parse("to@example.org")});
    const auto d = file_transport(dir.path()).send_raw(env, "x\r\n");
    const json j = parse_json(read_file(d.json_path));
    const json* from = j.get("from");
    ASSERT_NE(from, nullptr) << "the from key is always present";
    EXPECT_TRUE(from->type == json::kind::null ||
                (from->type == json::kind::string && from->str.empty()))
        << "null reverse-path must be null or \"\"";
}

TEST(FileTransport, JsonEscapesAndUtf8) {
    const temp_dir dir;
    const address quoted = address::parse(R"("we\"ird\\one"@example.org)");
    const address utf8 = address::parse(
        "zo\xC3\xAB@b\xC3\xBC"
        "cher.de");
    const envelope env = envelope::create(utf8, {quoted, utf8});
    const auto d = file_transport(dir.path()).send_raw(env, "x\r\n");
    const std::string text = read_file(d.json_path);
    json j;
    ASSERT_NO_THROW(j = parse_json(text)) << text;
    EXPECT_EQ(j.get("from")->str, utf8.to_string());
    EXPECT_THAT(json_strings(j.get("to")),
                ::testing::ElementsAre(quoted.to_string(), utf8.to_string()));
}

TEST(FileTransport, DirectoryPathIsAFile) {
    const temp_dir dir;
    const auto file = dir / "not-a-dir";
    write_file(file, "I am a file");
    const file_transport t(file);

    EXPECT_LETTRE_THROW(t.send(file_sample()), errc::io_error);

    std::error_code e;
    static_cast<void>(t.send(file_sample(), e));
    EXPECT_TRUE(e) << "error_code form must report the failure";

    const auto r = t.try_send(file_sample());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::io_error));
    EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;

    EXPECT_EQ(read_file(file), "I am a file") << "the file was touched";
    EXPECT_EQ(files_in(dir.path()).size(), 1u) << "something was left behind";
}

TEST(FileTransport, ParentIsAFile) {
    const temp_dir dir;
    write_file(dir / "blocker", "x");
    const file_transport t(dir / "blocker" / "outbox");
    const auto r = t.try_send(file_sample());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::io_error));
    EXPECT_LETTRE_ERROR(t.try_send_raw(file_sample().envelope(), "x"), errc::io_error);
}

TEST(FileTransport, ReadOnlyDirectoryFailsAndLeavesNothing) {
    if (running_as_root()) GTEST_SKIP() << "root writes into a mode-555 directory";
    const temp_dir dir;
    const auto out = dir / "ro";
    fs::create_directory(out);
    ASSERT_EQ(::chmod(out.c_str(), 0555), 0);
    const file_transport t(out);
    const auto r = t.try_send(file_sample());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::io_error));
    EXPECT_TRUE(files_in(out).empty());
}

}  // namespace
