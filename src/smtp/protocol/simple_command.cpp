#include "smtp/protocol/simple_command.hpp"

#include "smtp/protocol/commands.hpp"

namespace lettre::smtp {

client_action simple_command::start(session_state& st, kind k) {
    kind_ = k;
    st.out.clear();
    switch (k) {
        case kind::rset:
            st.diag.clear();
            commands::rset(st.out);
            return st.write(phase::rset);
        case kind::noop:
            st.diag.clear();
            commands::noop(st.out);
            return st.write(phase::noop);
        case kind::quit:
            // The session is over whatever the server answers; the last
            // diagnostics stay for whoever asks.
            commands::quit(st.out);
            st.ready = false;
            return st.write(phase::quit);
    }
    return st.done();
}

client_action simple_command::resume(session_state& st, const reply& r) {
    if (kind_ == kind::quit) {
        st.broken = true;  // the session is over, 221 or not (even 421)
        return st.done();
    }
    if (r.code() == 421) return st.closing(r);
    if (!r.positive_completion()) {
        st.broken = true;
        return st.fail_reply(kind_ == kind::rset ? "RSET refused" : "NOOP refused", r);
    }
    return st.done();
}

}  // namespace lettre::smtp
