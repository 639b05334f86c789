#include <lettre/transport/stub_transport.hpp>

#include <mutex>
#include <stdexcept>
#include <utility>

namespace lettre {

struct stub_transport::state {
    std::optional<error_info> answer;  // set once, before the state is shared
    std::mutex mutex;
    std::vector<sent_message> sent;
};

stub_transport::stub_transport() : state_(std::make_shared<state>()) {}

stub_transport::stub_transport(std::shared_ptr<state> s) : state_(std::move(s)) {}

stub_transport stub_transport::failing(error_info error) {
    if (!error.code)
        throw std::invalid_argument("lettre::stub_transport::failing: the error code is empty");
    if (error.message.empty())
        error.message = "stub transport configured to fail: " + error.code.message();
    auto s = std::make_shared<state>();
    s->answer = std::move(error);
    return stub_transport(std::move(s));
}

stub_transport stub_transport::failing(std::error_code code) {
    return failing(error_info{code, {}});
}

result<void> stub_transport::try_send_raw(const envelope& env, std::string_view bytes) const {
    std::optional<error_info> answer;
    if (env.to().empty())
        answer = make_error(errc::missing_recipient, "the envelope has no recipient");
    else
        answer = state_->answer;
    sent_message record{env, std::string(bytes), answer ? answer->code : std::error_code{}};
    {
        const std::lock_guard lock(state_->mutex);
        state_->sent.push_back(std::move(record));
    }
    if (answer) return std::move(*answer);
    return {};
}

void stub_transport::send_raw(const envelope& env, std::string_view bytes) const {
    auto r = try_send_raw(env, bytes);
    if (!r) throw error(r.error());
}

result<void> stub_transport::try_send(const message& msg) const {
    return try_send_raw(msg.envelope(), msg.formatted());
}

void stub_transport::send(const message& msg) const {
    auto r = try_send(msg);
    if (!r) throw error(r.error());
}

void stub_transport::send(const message& msg, std::error_code& ec) const {
    auto r = try_send(msg);
    if (r)
        ec.clear();
    else
        ec = r.error().code;
}

std::vector<stub_transport::sent_message> stub_transport::messages() const {
    const std::lock_guard lock(state_->mutex);
    return state_->sent;
}

std::optional<stub_transport::sent_message> stub_transport::last() const {
    const std::lock_guard lock(state_->mutex);
    if (state_->sent.empty()) return std::nullopt;
    return state_->sent.back();
}

std::size_t stub_transport::size() const {
    const std::lock_guard lock(state_->mutex);
    return state_->sent.size();
}

void stub_transport::clear() const {
    const std::lock_guard lock(state_->mutex);
    state_->sent.clear();
}

}  // namespace lettre
