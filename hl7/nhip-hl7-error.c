/*
 * Nhịp — error domain of the HL7 v2 and MLLP code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-hl7-error.h"

/* clang-format off */
G_DEFINE_QUARK(nhip-hl7-error-quark, nhip_hl7_error)
/* clang-format on */
