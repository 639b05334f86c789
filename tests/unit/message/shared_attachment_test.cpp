// lettre::shared_attachment: the message is the one a copied
// attachment makes, the part refers to the caller's bytes instead of a copy
// (and so does every copy of the part), and a null pointer is an error. That
// building does not copy them is counted in tests/alloc.
#include "../test_util.hpp"

#include <lettre/message/shared_attachment.hpp>

#include <memory>
#include <string>

namespace {

using lettre::content_type;
using lettre::errc;
using lettre::part;
using namespace lettre_test;

lettre::message_builder shared_attachment_builder(part attachment) {
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to("b@example.org")
        .subject("report")
        .date(std::string_view("Sat, 01 Nov 2025 12:00:00 +0000"))
        .message_id("<shared@example.com>")
        .text("see attached\n")
        .attachment(std::move(attachment));
    return b;
}

std::string attachment_body(const lettre::message& m) {
    const entity root = parse_entity(m.formatted());
    EXPECT_EQ(outline(root), "multipart/mixed[text/plain,application/pdf]");
    return root.children.size() == 2 ? root.children[1].body : std::string();
}

TEST(SharedAttachment, SameMessageAsACopiedAttachment) {
    std::string bytes;
    for (int i = 0; i < 5000; ++i) bytes += static_cast<char>(i * 7);
    const auto shared = std::make_shared<const std::string>(bytes);
    const auto with_copy = shared_attachment_builder(part::attachment("r.pdf", bytes)).build();
    const auto with_shared =
        shared_attachment_builder(lettre::shared_attachment("r.pdf", shared)).build();
    const std::string body = attachment_body(with_shared);
    EXPECT_GT(body.size(), bytes.size());
    EXPECT_EQ(body, attachment_body(with_copy));
    const entity e = parse_entity(with_shared.formatted());
    EXPECT_EQ(e.children[1].value("Content-Disposition"), "attachment; filename=r.pdf");
}

TEST(SharedAttachment, PartsReferToTheCallersBytes) {
    const auto shared = std::make_shared<const std::string>(std::string(1000, 'x'));
    const part p = lettre::shared_attachment("data.bin", shared);
    EXPECT_EQ(p.content().data(), shared->data());
    const part copy = p;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.content().data(), shared->data());
    EXPECT_EQ(shared.use_count(), 3);
    EXPECT_EQ(p.type().essence(), "application/octet-stream");
    EXPECT_EQ(p.filename(), std::optional<std::string>("data.bin"));
    EXPECT_FALSE(p.error());
}

TEST(SharedAttachment, AssignedAndMovedPartsKeepTheBytesAlive) {
    auto shared = std::make_shared<const std::string>(std::string(64, 'y'));
    const std::string* bytes = shared.get();
    part a = part::text("t");
    {
        const part p = lettre::shared_attachment("data.bin", std::move(shared));
        a = p;
    }
    EXPECT_EQ(a.content().data(), bytes->data());
    part b = std::move(a);
    EXPECT_EQ(b.content(), std::string(64, 'y'));
    b = part::text("other");
    EXPECT_EQ(b.content(), "other");
}

TEST(SharedAttachment, GivenTypeIsKept) {
    const auto shared = std::make_shared<const std::string>("a,b\n");
    const part p = lettre::shared_attachment("x.dat", shared, content_type::parse("text/csv"));
    EXPECT_EQ(p.type().essence(), "text/csv");
}

TEST(SharedAttachment, NullBytesAreAnErrorNamingTheFile) {
    auto b = shared_attachment_builder(lettre::shared_attachment("missing.pdf", nullptr));
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_part);
    const auto r = b.try_build();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("missing.pdf"), std::string::npos) << r.error().message;
}

}  // namespace
