/*
 * Nhịp — the kiosk's photo picker: a window of large thumbnails of the photos on a USB
 * stick or in Pictures, in place of a general file chooser, which could open the
 * station's database (see nhip-photo-scan.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_PHOTO_PICKER (nhip_photo_picker_get_type())
G_DECLARE_FINAL_TYPE(NhipPhotoPicker, nhip_photo_picker, NHIP, PHOTO_PICKER, AdwWindow)

NhipPhotoPicker *nhip_photo_picker_new(GtkWidget *parent,
				       NhipStation *station,
				       const gchar *title,
				       const gchar *accept_label);
void nhip_photo_picker_set_roots(NhipPhotoPicker *self, const gchar *const *roots);
gboolean nhip_photo_picker_is_busy(NhipPhotoPicker *self);
gboolean nhip_photo_picker_select(NhipPhotoPicker *self, const gchar *name);

G_END_DECLS
