/*
 * Nhịp — errors of the station kiosk's own logic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-ui-error.h"

G_DEFINE_QUARK(nhip - ui - error - quark, nhip_ui_error)
