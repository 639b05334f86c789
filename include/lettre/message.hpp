// Everything for building messages.
#pragma once

#include <lettre/error.hpp>
#include <lettre/message/address.hpp>
#include <lettre/message/content_type.hpp>
#include <lettre/message/date_time.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/message/message_builder.hpp>
#include <lettre/message/part.hpp>
