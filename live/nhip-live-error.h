/*
 * Nhịp — the error domain of live consultations (Janus signalling, WebRTC media).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_LIVE_ERROR (nhip_live_error_quark())

/**
 * NhipLiveError:
 * @NHIP_LIVE_ERROR_INVALID: a session descriptor or a message from Janus is malformed
 * @NHIP_LIVE_ERROR_NETWORK: the media server cannot be reached (a retry may work)
 * @NHIP_LIVE_ERROR_UNAUTHORIZED: the media server refused the session's token: it was not
 *   issued for this case or has expired; ask the hub for the session again
 * @NHIP_LIVE_ERROR_JANUS: the media server answered a request with an error
 * @NHIP_LIVE_ERROR_GONE: the session or its room no longer exists (hung up or expired)
 * @NHIP_LIVE_ERROR_MEDIA: the audio/video pipeline or the WebRTC connection failed
 * @NHIP_LIVE_ERROR_TIMEOUT: the media server did not answer in time
 * @NHIP_LIVE_ERROR_CANCELLED: stopped on request
 */
typedef enum {
	NHIP_LIVE_ERROR_INVALID,
	NHIP_LIVE_ERROR_NETWORK,
	NHIP_LIVE_ERROR_UNAUTHORIZED,
	NHIP_LIVE_ERROR_JANUS,
	NHIP_LIVE_ERROR_GONE,
	NHIP_LIVE_ERROR_MEDIA,
	NHIP_LIVE_ERROR_TIMEOUT,
	NHIP_LIVE_ERROR_CANCELLED,
} NhipLiveError;

GQuark nhip_live_error_quark(void);

G_END_DECLS
