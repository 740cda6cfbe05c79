/*
 * Nhịp — error domain of the device frame decoders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-decode-error.h"

G_DEFINE_QUARK(nhip - decode - error - quark, nhip_decode_error)
