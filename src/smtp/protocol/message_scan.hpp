// The kernels behind scan_message, one per instruction set, visible to the
// tests so that each is checked on any machine that can run it. Internal.
#pragma once

#include "smtp/protocol/commands.hpp"

namespace lettre::smtp::detail {

message_scan scan_message_portable(std::string_view m) noexcept;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LETTRE_SCAN_X86 1
message_scan scan_message_sse2(std::string_view m) noexcept;
message_scan scan_message_avx2(std::string_view m) noexcept;
bool cpu_has_avx2() noexcept;
#endif

}  // namespace lettre::smtp::detail
