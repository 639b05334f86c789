// A transport for your own unit tests: it sends nothing, records every
// message it is handed (envelope, exact bytes, and what it answered), and
// answers either success or an error you choose, with the report you choose.
// Like StubTransport in the Rust crate. `basic_stub_transport<R>` answers with
// any report type R, so it stands in for any lettre transport in code that is
// generic over lettre::transport (e.g. R = smtp::send_report for the SMTP
// transport). The async form is in async_stub_transport.hpp.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace lettre {

/// The report of the default stub: where the message is in the record.
struct stub_report {
    std::size_t index = 0;  ///< position in messages()
    /// Equal when the indexes are equal.
    friend bool operator==(const stub_report&, const stub_report&) = default;
};

namespace detail {

/// The part of every stub that does not depend on the report type: the
/// shared record and the configured error. Copies share both.
class LETTRE_EXPORT stub_record {
public:
    struct sent_message {
        envelope env;           ///< as given (a message's own envelope for send)
        std::string bytes;      ///< the exact bytes (message::formatted() for send)
        std::error_code error;  ///< what the send answered; empty for success
    };

    stub_record();
    stub_record(const stub_record&) = default;
    stub_record& operator=(const stub_record&) = default;
    // No move operations: a moved-from stub still shares the record.
    ~stub_record() = default;
    /// `error.code` must be set (else std::invalid_argument); an empty
    /// `error.message` gets a default one.
    explicit stub_record(error_info error);

    /// Records one send; returns its index, or the answer's error. An
    /// envelope without recipient is refused with errc::missing_recipient
    /// before the configured answer.
    result<std::size_t> record(const envelope& env, std::string_view bytes) const;

    std::vector<sent_message> messages() const;
    std::optional<sent_message> last() const;
    std::size_t size() const;
    void clear() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

}  // namespace detail

/// A stub is a handle: copies share one record and one answer, so a test
/// can hand a copy to the code under test and inspect the original. `const`
/// applies to the handle, not to the record (as with shared_ptr): sends and
/// clear() are const. Safe to use from several threads at once.
template <class Report>
class basic_stub_transport {
public:
    using report_type = Report;  ///< what a send reports
    /// One recorded send: `env`, `bytes` and the `error` it was answered with.
    using sent_message = detail::stub_record::sent_message;

    /// Answers success to every send, with a default-constructed report
    /// (stub_report: the message's index).
    basic_stub_transport() = default;
    basic_stub_transport(const basic_stub_transport&) =
        default;  ///< shares the record and the answer
    basic_stub_transport& operator=(const basic_stub_transport&) =
        default;  ///< shares the record and the answer
    // No move operations: a moved-from stub still shares the record.

    ~basic_stub_transport() = default;
    /// Answers success with `report` to every send.
    explicit basic_stub_transport(Report report)
        : report_(std::make_shared<const Report>(std::move(report))) {}
    /// Answers `error` to every valid send (the throwing form throws
    /// lettre::error(error)); the error_code form returns `report` with it.
    [[nodiscard]] static basic_stub_transport failing(error_info error, Report report = Report{}) {
        return basic_stub_transport(detail::stub_record(std::move(error)), std::move(report));
    }
    /// Same, with a default message: `failing(lettre::errc::smtp_transient)`.
    [[nodiscard]] static basic_stub_transport failing(std::error_code code,
                                                      Report report = Report{}) {
        return failing(error_info{code, {}}, std::move(report));
    }

    /// Throws lettre::error when the stub fails or the message is refused.
    Report send(const message& msg) const { return send_raw(msg.envelope(), msg.formatted()); }
    /// Sets `ec` (cleared on success); returns the configured report.
    Report send(const message& msg, std::error_code& ec) const {
        return send_raw(msg.envelope(), msg.formatted(), ec);
    }
    /// send() returning the error instead of throwing it.
    result<Report> try_send(const message& msg) const {
        return try_send_raw(msg.envelope(), msg.formatted());
    }

    /// Ready-made bytes plus an envelope.
    Report send_raw(const envelope& env, std::string_view bytes) const {
        auto r = try_send_raw(env, bytes);
        if (!r) throw lettre::error(r.error());
        return std::move(*r);
    }
    /// The same, setting `ec` (cleared on success) instead of throwing.
    Report send_raw(const envelope& env, std::string_view bytes, std::error_code& ec) const {
        auto r = record_.record(env, bytes);
        ec = r ? std::error_code{} : r.error().code;
        return report_for(r ? *r : 0);
    }
    /// send_raw() returning the error instead of throwing it.
    result<Report> try_send_raw(const envelope& env, std::string_view bytes) const {
        auto r = record_.record(env, bytes);
        if (!r) return std::move(r).error();
        return report_for(*r);
    }

    /// Every message handed over so far, in order, including those answered
    /// with an error.
    [[nodiscard]] std::vector<sent_message> messages() const { return record_.messages(); }
    /// The most recent one, if any.
    [[nodiscard]] std::optional<sent_message> last() const { return record_.last(); }
    /// How many messages were handed over.
    [[nodiscard]] std::size_t size() const { return record_.size(); }
    /// Forgets the record (of every copy); the answer stays.
    void clear() const { record_.clear(); }

private:
    basic_stub_transport(detail::stub_record record, Report report)
        : record_(std::move(record)), report_(std::make_shared<const Report>(std::move(report))) {}

    Report report_for(std::size_t index) const {
        Report out = report_ ? *report_ : Report{};
        if constexpr (std::is_same_v<Report, stub_report>) out.index = index;
        return out;
    }

    detail::stub_record record_;
    std::shared_ptr<const Report> report_;  ///< null: Report{}
};

/// The stub most tests want: success or a chosen error, reporting where
/// the message went in the record.
using stub_transport = basic_stub_transport<stub_report>;

}  // namespace lettre
