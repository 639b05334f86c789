#include <lettre/transport/stub_transport.hpp>

#include <mutex>
#include <stdexcept>
#include <utility>

namespace lettre::detail {

struct stub_record::state {
    std::optional<error_info> answer;  // set once, before the state is shared
    std::mutex mutex;
    std::vector<sent_message> sent;
};

stub_record::stub_record() : state_(std::make_shared<state>()) {}

stub_record::stub_record(error_info error) : state_(std::make_shared<state>()) {
    if (!error.code)
        throw std::invalid_argument("lettre::stub_transport::failing: the error code is empty");
    if (error.message.empty())
        error.message = "stub transport configured to fail: " + error.code.message();
    state_->answer = std::move(error);
}

result<std::size_t> stub_record::record(const envelope& env, std::string_view bytes) const {
    std::optional<error_info> answer;
    if (env.to().empty())
        answer = make_error(errc::missing_recipient, "the envelope has no recipient");
    else
        answer = state_->answer;
    sent_message entry{env, std::string(bytes), answer ? answer->code : std::error_code{}};
    std::size_t index = 0;
    {
        const std::lock_guard lock(state_->mutex);
        index = state_->sent.size();
        state_->sent.push_back(std::move(entry));
    }
    if (answer) return std::move(*answer);
    return index;
}

std::vector<stub_record::sent_message> stub_record::messages() const {
    const std::lock_guard lock(state_->mutex);
    return state_->sent;
}

std::optional<stub_record::sent_message> stub_record::last() const {
    const std::lock_guard lock(state_->mutex);
    if (state_->sent.empty()) return std::nullopt;
    return state_->sent.back();
}

std::size_t stub_record::size() const {
    const std::lock_guard lock(state_->mutex);
    return state_->sent.size();
}

void stub_record::clear() const {
    const std::lock_guard lock(state_->mutex);
    state_->sent.clear();
}

}  // namespace lettre::detail
