#pragma once
// Short spellings of an address and a server reply, for the MX unit tests
// (mx_plan_test.cpp, mx_conditions_test.cpp).

#include <lettre/message/address.hpp>
#include <lettre/smtp/reply.hpp>

namespace lettre_test {

inline lettre::address addr(const char* s) {
    return lettre::address::parse(s);
}

inline lettre::smtp::reply reply(int code, const char* text) {
    return lettre::smtp::reply(code, {text});
}

}  // namespace lettre_test
