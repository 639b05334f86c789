// The MTA-STS policy lifecycle (RFC 8461 §5.1, sans-io) and the caches.
#include <lettre/transport/mta_sts.hpp>

#include "transport/mta_sts_lifecycle.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace lettre::mta_sts;
using namespace lettre::mta_sts::detail;
using lettre::errc;
using std::chrono::seconds;
namespace fs = std::filesystem;

const auto t0 = std::chrono::system_clock::time_point(seconds(1'700'000'000));

policy make_policy(std::uint32_t max_age, std::string mx = "mx.a.test") {
    auto p = parse_policy("version: STSv1\nmode: enforce\nmx: " + mx +
                          "\nmax_age: " + std::to_string(max_age) + "\n");
    return *p;
}

txt_answer with_id(std::string id) {
    return {sts_record{std::move(id)}, std::nullopt};
}

TEST(mta_sts_lifecycle, txt_answers) {
    EXPECT_FALSE(
        read_txt_answer("a.test", lettre::make_error_code(errc::dns_nxdomain), {}).problem);
    EXPECT_FALSE(read_txt_answer("a.test", lettre::make_error_code(errc::dns_nodata), {}).record);
    auto servfail = read_txt_answer("a.test", lettre::make_error_code(errc::dns_servfail), {});
    ASSERT_TRUE(servfail.problem);
    EXPECT_EQ(servfail.problem->type, failure_type::policy_fetch_error);
    auto two = read_txt_answer("a.test", {}, {{{"v=STSv1; id=1"}, 1}, {{"v=STSv1; id=2"}, 1}});
    ASSERT_TRUE(two.problem);
    EXPECT_EQ(two.problem->type, failure_type::policy_invalid);
    EXPECT_NE(two.problem->message.find("_mta-sts.a.test"), std::string::npos);
    EXPECT_EQ(read_txt_answer("a.test", {}, {{{"v=STSv1; id=7"}, 1}}).record->id, "7");
}

TEST(mta_sts_lifecycle, steps) {
    const cached_policy c{make_policy(100), "id1", t0};
    EXPECT_EQ(next_step(with_id("id1"), std::nullopt, t0), step::fetch);
    EXPECT_EQ(next_step(with_id("id1"), c, t0 + seconds(99)), step::use_cache);
    EXPECT_EQ(next_step(with_id("id1"), c, t0 + seconds(100)), step::fetch);  // expired
    EXPECT_EQ(next_step(with_id("id2"), c, t0 + seconds(1)), step::fetch);    // id changed
    EXPECT_EQ(next_step({}, c, t0 + seconds(1)), step::use_cache);            // TXT gone
    EXPECT_EQ(next_step({}, c, t0 + seconds(100)), step::no_policy);
    EXPECT_EQ(next_step({}, std::nullopt, t0), step::no_policy);
}

TEST(mta_sts_lifecycle, failed_refetch_keeps_a_valid_cached_policy) {
    auto cache = memory_cache();
    const cached_policy c{make_policy(100), "id1", t0};
    auto failed = lettre::make_error(errc::mta_sts_fetch_failed, "HTTP status 500");
    auto kept = after_fetch("a.test", failed, "id2", c, t0 + seconds(10), *cache);
    ASSERT_TRUE(kept.active);
    EXPECT_EQ(kept.origin, policy_origin::cache);
    EXPECT_EQ(kept.id, "id1");
    ASSERT_TRUE(kept.problem);
    EXPECT_EQ(kept.problem->type, failure_type::policy_fetch_error);
    auto gone = after_fetch("a.test", failed, "id2", c, t0 + seconds(100), *cache);
    EXPECT_FALSE(gone.active);
    EXPECT_TRUE(gone.problem);
    EXPECT_FALSE(cache->load("a.test"));
}

TEST(mta_sts_lifecycle, fetched_policy_is_cached) {
    auto cache = memory_cache();
    auto d = after_fetch("A.test", make_policy(50), "id9", std::nullopt, t0, *cache);
    EXPECT_EQ(d.origin, policy_origin::fetched);
    EXPECT_FALSE(d.cache_error);
    auto c = cache->load("a.test");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, "id9");
    EXPECT_EQ(c->expires(), t0 + seconds(50));
    auto none = without_fetch({}, std::nullopt, t0);
    EXPECT_FALSE(none.active);
    EXPECT_EQ(none.origin, policy_origin::none);
}

class mta_sts_directory_cache : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("lettre-mta-sts-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(mta_sts_directory_cache, round_trip_atomic_and_bounded) {
    auto cache = directory_cache(dir_ / "sub");
    ASSERT_TRUE(cache) << cache.error().message;
    EXPECT_FALSE((*cache)->load("a.test"));
    const cached_policy c{make_policy(3600, "*.a.test"), "abc123", t0};
    ASSERT_FALSE((*cache)->store("A.Test", c));
    // Another process (another cache object) reads it back.
    auto again = directory_cache(dir_ / "sub");
    auto loaded = (*again)->load("a.test");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->id, "abc123");
    EXPECT_EQ(loaded->fetched, t0);
    EXPECT_EQ(loaded->value.mx, std::vector<std::string>{"*.a.test"});
    EXPECT_EQ(loaded->value.text, c.value.text);
    // Only the final file remains (the temporary one was renamed).
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "sub")) {
        ++files;
        EXPECT_EQ(e.path().filename(), "a.test.policy");
    }
    EXPECT_EQ(files, 1u);
    // A file over the size bound, or corrupt, counts as absent.
    {
        std::ofstream out(dir_ / "sub" / "big.test.policy", std::ios::binary);
        out << "lettre-mta-sts-cache 1\nid x\nfetched 1\n\n" << std::string(70 * 1024, 'x');
    }
    EXPECT_FALSE((*cache)->load("big.test"));
    {
        std::ofstream out(dir_ / "sub" / "bad.test.policy", std::ios::binary);
        out << "lettre-mta-sts-cache 1\nid x\nfetched 1\n\nversion: STSv9\n";
    }
    EXPECT_FALSE((*cache)->load("bad.test"));
    // Names that are not domains never become paths.
    EXPECT_EQ((*cache)->store("../x", c), lettre::make_error_code(errc::invalid_domain));
    EXPECT_FALSE((*cache)->load("../a.test"));
}

TEST_F(mta_sts_directory_cache, refuses_a_file_as_directory) {
    { std::ofstream out(dir_.string() + ".file"); }
    auto cache = directory_cache(dir_.string() + ".file");
    fs::remove(dir_.string() + ".file");
    ASSERT_FALSE(cache);
    EXPECT_EQ(cache.error().code, errc::io_error);
}

}  // namespace
