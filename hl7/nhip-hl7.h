/*
 * Nhịp — HL7 v2 (ER7, ACK) and MLLP: the one header to include.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hl7-ack.h"
#include "nhip-hl7-enums.h"
#include "nhip-hl7-error.h"
#include "nhip-hl7-message.h"
#include "nhip-hl7-path.h"
#include "nhip-mllp-client.h"
#include "nhip-mllp-framer.h"
#include "nhip-mllp-listener.h"
