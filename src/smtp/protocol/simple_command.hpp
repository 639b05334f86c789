// The one-line commands between transactions: RSET, NOOP, QUIT (RFC 5321
// §4.1.1.5, 4.1.1.9, 4.1.1.10). One command, one reply. Sans-io.
#pragma once

#include <lettre/export.hpp>

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/session_state.hpp"

namespace lettre::smtp {

class LETTRE_EXPORT simple_command {
public:
    enum class kind { rset, noop, quit };

    client_action start(session_state& st, kind k);
    client_action resume(session_state& st, const reply& r);
    kind what() const noexcept { return kind_; }

private:
    kind kind_ = kind::noop;
};

}  // namespace lettre::smtp
