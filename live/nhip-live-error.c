/*
 * Nhịp — the error domain of live consultations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-live-error.h"

G_DEFINE_QUARK(nhip - live - error - quark, nhip_live_error)
