// Attachments and inline parts read from files (lettre/message/files.hpp):
// content byte for byte, the file name taken from the path, the type guessed
// from the extension, and errors that name the path (file_not_found,
// file_unreadable) in both the throwing and the result forms, and the parts
// through the builder.
#include "../test_util.hpp"

#include <sys/stat.h>

namespace {

using lettre::content_type;
using lettre::errc;
using lettre::part;
using namespace lettre_test;

std::string all_bytes() {
    std::string s;
    for (int r = 0; r < 4; ++r)
        for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
}

TEST(AttachmentFile, ReadsTheBytesAndTakesTheName) {
    const temp_dir dir;
    const auto path = dir / "report.pdf";
    write_file(path, all_bytes());
    const part p = lettre::attachment_file(path);
    EXPECT_EQ(p.content(), all_bytes());
    ASSERT_TRUE(p.filename().has_value());
    EXPECT_EQ(*p.filename(), "report.pdf");
    EXPECT_EQ(p.type().essence(), "application/pdf");
    EXPECT_EQ(p.content_disposition(), part::disposition::attachment);
    EXPECT_FALSE(p.error().has_value());
}

TEST(AttachmentFile, ResultFormReadsTheSame) {
    const temp_dir dir;
    const auto path = dir / "photo.JPG";
    write_file(path, "\xFF\xD8\xFF\xE0 jpeg");
    const auto r = lettre::try_attachment_file(path);
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->content(), "\xFF\xD8\xFF\xE0 jpeg");
    EXPECT_EQ(r->type().essence(), "image/jpeg");
    EXPECT_EQ(*r->filename(), "photo.JPG");
}

TEST(AttachmentFile, TypeGuessedFromTheExtension) {
    const temp_dir dir;
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"a.png", "image/png"},
        {"a.txt", "text/plain"},
        {"a.html", "text/html"},
        {"a.zip", "application/zip"},
        {"a.unknownext", "application/octet-stream"},
        {"no_extension", "application/octet-stream"},
    };
    for (const auto& [name, type] : cases) {
        const auto path = dir / name;
        write_file(path, "x");
        EXPECT_EQ(lettre::attachment_file(path).type().essence(), type) << name;
    }
    EXPECT_TRUE(
        iequals(lettre::attachment_file(dir / "a.txt").type().parameter_value("charset"), "utf-8"));
}

TEST(AttachmentFile, ExplicitTypeAndFilename) {
    const temp_dir dir;
    const auto path = dir / "data.bin";
    write_file(path, "payload");
    const part p = lettre::attachment_file(path, content_type::parse("application/x-custom"),
                                           "shown name.dat");
    EXPECT_EQ(p.type().essence(), "application/x-custom");
    EXPECT_EQ(*p.filename(), "shown name.dat");
    EXPECT_EQ(p.content(), "payload");
}

TEST(AttachmentFile, EmptyFile) {
    const temp_dir dir;
    const auto path = dir / "empty.txt";
    write_file(path, "");
    const auto r = lettre::try_attachment_file(path);
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->content(), "");
}

TEST(AttachmentFile, MissingFileIsFileNotFoundNamingThePath) {
    const temp_dir dir;
    const auto path = dir / "does-not-exist.pdf";
    const auto r = lettre::try_attachment_file(path);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::file_not_found));
    EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;

    EXPECT_LETTRE_THROW(lettre::attachment_file(path), errc::file_not_found);
    const std::string msg =
        thrown_message([&] { static_cast<void>(lettre::attachment_file(path)); });
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
}

TEST(AttachmentFile, MissingDirectoryIsFileNotFound) {
    EXPECT_LETTRE_ERROR(lettre::try_attachment_file("/nonexistent-lettre-dir/x/y.pdf"),
                        errc::file_not_found);
}

TEST(AttachmentFile, UnreadableFileIsFileUnreadable) {
    if (running_as_root()) GTEST_SKIP() << "root can read a mode-000 file";
    const temp_dir dir;
    const auto path = dir / "secret.pdf";
    write_file(path, "secret");
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    const auto r = lettre::try_attachment_file(path);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::file_unreadable));
    EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;
    EXPECT_LETTRE_THROW(lettre::attachment_file(path), errc::file_unreadable);
}

TEST(AttachmentFile, DirectoryIsFileUnreadable) {
    // It exists but cannot be read as a file; it must not turn into an
    // empty attachment.
    const temp_dir dir;
    const auto r = lettre::try_attachment_file(dir.path());
    ASSERT_FALSE(r.has_value()) << "a directory became an attachment of " << r->content().size()
                                << " bytes";
    EXPECT_EQ(r.error().code, ec(errc::file_unreadable));
}

TEST(AttachmentFile, ThroughTheBuilder) {
    const temp_dir dir;
    const auto path = dir / "notes.txt";
    write_file(path, "line one\nline two\n");
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to("b@example.org")
        .text("see notes")
        .attachment(lettre::attachment_file(path));
    const entity e = parse_entity(must_build(b).formatted());
    ASSERT_EQ(outline(e), "multipart/mixed[text/plain,text/plain]");
    const entity& att = e.children[1];
    EXPECT_TRUE(istarts_with(att.value("Content-Disposition"), "attachment"));
    const auto fn =
        rfc2231_param(parse_params(att.value("Content-Disposition")).params, "filename");
    ASSERT_TRUE(fn.has_value());
    EXPECT_EQ(fn->value, "notes.txt");
    const auto body = decoded_body(att);
    ASSERT_TRUE(body.has_value());
    EXPECT_EQ(to_crlf(*body), to_crlf("line one\nline two\n"));
}

TEST(AttachmentFile, ThroughTheBuilderWithType) {
    const temp_dir dir;
    const auto path = dir / "raw.dat";
    write_file(path, all_bytes());
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to("b@example.org")
        .text("t")
        .attachment(lettre::attachment_file(path, content_type::parse("image/png")));
    const entity e = parse_entity(must_build(b).formatted());
    ASSERT_EQ(outline(e), "multipart/mixed[text/plain,image/png]");
    EXPECT_EQ(decoded_body(e.children[1]).value_or(""), all_bytes());
}

TEST(AttachmentFile, MissingFileFailsBeforeTheBuilder) {
    const temp_dir dir;
    const auto path = dir / "gone.pdf";
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    EXPECT_LETTRE_THROW(b.attachment(lettre::attachment_file(path)), errc::file_not_found);
    // The result form leaves the builder usable: the message goes without it.
    if (auto p = lettre::try_attachment_file(path)) b.attachment(std::move(*p));
    EXPECT_EQ(outline(parse_entity(must_build(b).formatted())), "text/plain");
}

TEST(InlineFile, ReadsAndSetsTheContentId) {
    const temp_dir dir;
    const auto path = dir / "logo.png";
    write_file(path, "\x89PNG\r\n\x1A\n");
    const part p = lettre::inline_file("logo@example.com", path);
    EXPECT_EQ(p.content(), "\x89PNG\r\n\x1A\n");
    EXPECT_EQ(p.type().essence(), "image/png");
    EXPECT_EQ(p.content_disposition(), part::disposition::inline_);
    ASSERT_TRUE(p.content_id().has_value());
    EXPECT_EQ(*p.content_id(), "logo@example.com");

    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to("b@example.org")
        .html("<img src=\"cid:logo@example.com\">")
        .inline_part(p);
    const entity e = parse_entity(must_build(b).formatted());
    ASSERT_EQ(outline(e), "multipart/related[text/html,image/png]");
    EXPECT_EQ(e.children[1].value("Content-ID"), "<logo@example.com>");
    EXPECT_EQ(decoded_body(e.children[1]).value_or(""), "\x89PNG\r\n\x1A\n");
}

TEST(InlineFile, MissingAndUnreadable) {
    const temp_dir dir;
    const auto path = dir / "nope.png";
    const auto r = lettre::try_inline_file("c", path);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::file_not_found));
    EXPECT_NE(r.error().message.find(path.string()), std::string::npos) << r.error().message;
    EXPECT_LETTRE_THROW(lettre::inline_file("c", path), errc::file_not_found);
    if (running_as_root()) return;  // mode 000 is readable by root
    write_file(path, "x");
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    EXPECT_LETTRE_ERROR(lettre::try_inline_file("c", path), errc::file_unreadable);
}

TEST(InlineFile, ExplicitType) {
    const temp_dir dir;
    const auto path = dir / "img";
    write_file(path, "GIF89a");
    const auto r = lettre::try_inline_file("c", path, content_type::parse("image/gif"));
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->type().essence(), "image/gif");
}

}  // namespace
