/*
 * Nhịp — the error domain of the exports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-export-error.h"

G_DEFINE_QUARK(nhip - export - error - quark, nhip_export_error)
