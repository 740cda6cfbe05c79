/*
 * Nhịp — the error domain of the station core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-error.h"

G_DEFINE_QUARK(nhip - store - error - quark, nhip_store_error)
