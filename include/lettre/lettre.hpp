// Umbrella header.
#pragma once

#include <lettre/dkim.hpp>
#include <lettre/dkim/key_file.hpp>
#include <lettre/message.hpp>
#include <lettre/message/files.hpp>
#include <lettre/message/shared_attachment.hpp>
#include <lettre/transport/file_transport.hpp>
#include <lettre/transport/sendmail_transport.hpp>
#include <lettre/transport/stub_transport.hpp>
