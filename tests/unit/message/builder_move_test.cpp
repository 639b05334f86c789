// message_builder::build() && and try_build() &&: the parts move into the
// message, and the message is the one build() const& makes (same header
// fields, same MIME tree, same bodies; only the random boundaries differ).
// That nothing large is copied on the way is checked by
// tests/alloc/build_moves_parts_test.cpp, which counts allocations.
#include "../test_util.hpp"

#include <string>
#include <utility>
#include <vector>

namespace {

using lettre::content_type;
using lettre::part;
using namespace lettre_test;

/// Every part kind the builder lays out, with a fixed Date and Message-ID.
lettre::message_builder full_builder() {
    auto b = lettre::message::builder();
    b.from("Zo\xC3\xAB <zoe@example.com>")
        .to("bob@example.org")
        .subject("Moved")
        .date(std::string_view("Sat, 01 Nov 2025 12:00:00 +0000"))
        .message_id("<moved@example.com>")
        .text("plain text\nline two\n")
        .html("<p>html <img src=\"cid:logo\"></p>\n")
        .inline_part(part::inline_body("logo", "PNGDATA", content_type::parse("image/png")))
        .attachment(part::attachment("a.bin", std::string(3000, '\x01')))
        .attachment(part::attachment("notes.txt", "some notes\n"));
    return b;
}

void collect_boundaries(const entity& e, std::vector<std::string>& out) {
    if (!e.boundary.empty()) out.push_back(e.boundary);
    for (const auto& c : e.children) collect_boundaries(c, out);
}

/// The bytes with each boundary replaced by its position in the tree.
std::string without_boundaries(const lettre::message& m) {
    std::string bytes = m.formatted();
    std::vector<std::string> boundaries;
    collect_boundaries(parse_entity(bytes), boundaries);
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
        const std::string with = "BOUNDARY-" + std::to_string(i);
        for (auto at = bytes.find(boundaries[i]); at != std::string::npos;
             at = bytes.find(boundaries[i], at + with.size()))
            bytes.replace(at, boundaries[i].size(), with);
    }
    return bytes;
}

TEST(BuilderMove, BuildOnAnRvalueGivesTheSameMessage) {
    auto b = full_builder();
    const lettre::message copied = b.build();
    const lettre::message moved = std::move(b).build();
    EXPECT_EQ(outline(parse_entity(moved.formatted())),
              "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,"
              "image/png]],application/octet-stream,text/plain]");
    EXPECT_EQ(without_boundaries(moved), without_boundaries(copied));
    EXPECT_EQ(moved.envelope().to().size(), 1u);
    EXPECT_EQ(moved.message_id(), "<moved@example.com>");
}

TEST(BuilderMove, TryBuildOnAnRvalueGivesTheSameMessage) {
    auto b = full_builder();
    const auto copied = b.try_build();
    const auto moved = std::move(b).try_build();
    ASSERT_LETTRE_OK(copied);
    ASSERT_LETTRE_OK(moved);
    EXPECT_EQ(without_boundaries(*moved), without_boundaries(*copied));
}

TEST(BuilderMove, ExplicitBodyMovesToo) {
    auto make = [] {
        auto b = lettre::message::builder();
        b.from("a@example.com")
            .to("b@example.org")
            .date(std::string_view("Sat, 01 Nov 2025 12:00:00 +0000"))
            .message_id("<body@example.com>")
            .body(part::mixed().add(part::text("x")).add(part::attachment("y.txt", "y")));
        return b;
    };
    auto b = make();
    EXPECT_EQ(without_boundaries(std::move(b).build()), without_boundaries(make().build()));
}

TEST(BuilderMove, ChainOnATemporaryStaysAnRvalue) {
    // Setters on a temporary return message_builder&&, so a chain ending in
    // build() picks build() && without a std::move.
    static_assert(std::is_same_v<decltype(lettre::message::builder().from("a@example.com")),
                                 lettre::message_builder&&>);
    static_assert(std::is_same_v<decltype(std::declval<lettre::message_builder&>().to("b@x.org")),
                                 lettre::message_builder&>);
    const lettre::message m = lettre::message::builder()
                                  .from("a@example.com")
                                  .to("b@example.org")
                                  .text("t")
                                  .attachment(part::attachment("a.txt", "x"))
                                  .build();
    EXPECT_EQ(outline(parse_entity(m.formatted())), "multipart/mixed[text/plain,text/plain]");
}

TEST(BuilderMove, ErrorsAreReportedTheSameWay) {
    auto b = lettre::message::builder();
    b.to("b@example.org").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), lettre::errc::missing_from);
    EXPECT_LETTRE_ERROR(std::move(b).try_build(), lettre::errc::missing_from);
    auto c = lettre::message::builder();
    c.from("bad address").to("b@example.org");
    EXPECT_LETTRE_THROW(std::move(c).build(), lettre::errc::invalid_address);
}

}  // namespace
