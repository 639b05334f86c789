#include <lettre/message/envelope.hpp>

#include <algorithm>

namespace lettre {

result<envelope> envelope::try_create(std::optional<address> from, std::vector<address> to) {
    if (to.empty()) return make_error(errc::missing_recipient, "the envelope has no recipient");
    // std::nullopt is the one spelling of the null reverse-path: an empty
    // address is more likely one that was never set.
    if (from && from->empty())
        return make_error(errc::invalid_address,
                          "the envelope's sender is an empty address; pass std::nullopt for the "
                          "null reverse-path <>");
    envelope e;
    e.from_ = std::move(from);
    for (auto& a : to) {
        if (a.empty())
            return make_error(errc::invalid_address, "empty recipient address in the envelope");
        if (std::find(e.to_.begin(), e.to_.end(), a) == e.to_.end()) e.to_.push_back(std::move(a));
    }
    return e;
}

envelope envelope::create(std::optional<address> from, std::vector<address> to) {
    auto r = try_create(std::move(from), std::move(to));
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

bool envelope::requires_smtputf8() const noexcept {
    if (from_ && from_->requires_smtputf8()) return true;
    return std::any_of(to_.begin(), to_.end(),
                       [](const address& a) { return a.requires_smtputf8(); });
}

}  // namespace lettre
