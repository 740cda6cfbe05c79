/*
 * Nhịp — a lock held by one program at a time: flock(2) on a file, released when the
 * holder closes it or dies (a power cut, SIGKILL), so a stale lock never needs cleaning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NhipFileLock NhipFileLock;

NhipFileLock *nhip_file_lock_try(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_file_lock_release(NhipFileLock *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipFileLock, nhip_file_lock_release)

G_END_DECLS
