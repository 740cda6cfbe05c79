/*
 * Nhịp — Contec CMS50 pulse oximeters, both protocol generations: command builders and an
 * auto-detecting incremental decoder (no I/O).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-output.h"

G_BEGIN_DECLS

#define NHIP_CMS50_DRIVER	    "cms50"
#define NHIP_CMS50_VID		    0x10c4
#define NHIP_CMS50_PID		    0xea60
#define NHIP_CMS50_OLD_FRAME_SIZE   5
#define NHIP_CMS50_F37_COMMAND_SIZE 9
#define NHIP_CMS50_DETECT_MAX	    4096

/**
 * NhipCms50Protocol:
 * @NHIP_CMS50_PROTOCOL_UNKNOWN: not recognised (yet); the decoder is detecting
 * @NHIP_CMS50_PROTOCOL_OLD: CMS50D+ before firmware 4.6: 19200 8O1, 5-byte live packets
 * @NHIP_CMS50_PROTOCOL_F37: CMS50D+ 4.6+, CMS50E/EW/F/I, CMS60: 115200 8N1, typed messages
 */
typedef enum {
	NHIP_CMS50_PROTOCOL_UNKNOWN,
	NHIP_CMS50_PROTOCOL_OLD,
	NHIP_CMS50_PROTOCOL_F37,
} NhipCms50Protocol;

/**
 * NhipCms50Command:
 * @NHIP_CMS50_CMD_START_LIVE: start the live stream (repeat every ≈5 s)
 * @NHIP_CMS50_CMD_STOP_LIVE: stop the live stream
 * @NHIP_CMS50_CMD_SESSION_COUNT: how many stored sessions
 * @NHIP_CMS50_CMD_SESSION_DURATION: length of a stored session
 * @NHIP_CMS50_CMD_SESSION_TIME: start date and time of a stored session
 * @NHIP_CMS50_CMD_SESSION_DATA: send a stored session
 * @NHIP_CMS50_CMD_STOP_STORED: stop sending stored data
 * @NHIP_CMS50_CMD_MODEL: model name
 * @NHIP_CMS50_CMD_VENDOR: vendor name
 * @NHIP_CMS50_CMD_DEVICE_ID: device identifier
 * @NHIP_CMS50_CMD_KEEP_ALIVE: keep the stream going
 * @NHIP_CMS50_CMD_SET_TIME: set the clock time (h m s)
 * @NHIP_CMS50_CMD_SET_DATE: set the clock date (century, year, month, day, weekday)
 *
 * Host commands of the F37 protocol.
 */
typedef enum {
	NHIP_CMS50_CMD_START_LIVE = 0xA1,
	NHIP_CMS50_CMD_STOP_LIVE = 0xA2,
	NHIP_CMS50_CMD_SESSION_COUNT = 0xA3,
	NHIP_CMS50_CMD_SESSION_DURATION = 0xA4,
	NHIP_CMS50_CMD_SESSION_TIME = 0xA5,
	NHIP_CMS50_CMD_SESSION_DATA = 0xA6,
	NHIP_CMS50_CMD_STOP_STORED = 0xA7,
	NHIP_CMS50_CMD_MODEL = 0xA8,
	NHIP_CMS50_CMD_VENDOR = 0xA9,
	NHIP_CMS50_CMD_DEVICE_ID = 0xAA,
	NHIP_CMS50_CMD_KEEP_ALIVE = 0xAF,
	NHIP_CMS50_CMD_SET_TIME = 0xB1,
	NHIP_CMS50_CMD_SET_DATE = 0xB2,
} NhipCms50Command;

void nhip_cms50_build_command(NhipCms50Command cmd,
			      const guint8 *args,
			      gsize n_args,
			      guint8 out[NHIP_CMS50_F37_COMMAND_SIZE]);
void nhip_cms50_build_set_time(GDateTime *time, guint8 out[NHIP_CMS50_F37_COMMAND_SIZE]);
void nhip_cms50_build_set_date(GDateTime *time, guint8 out[NHIP_CMS50_F37_COMMAND_SIZE]);
void nhip_cms50_build_old_stored_request(guint8 out[2]);
gsize nhip_cms50_f37_frame_length(guint8 type);
void nhip_cms50_f37_restore_msb(guint8 *frame, gsize len);

typedef struct _NhipCms50Decoder NhipCms50Decoder;

NhipCms50Decoder *nhip_cms50_decoder_new(void);
NhipCms50Decoder *nhip_cms50_decoder_new_for_protocol(NhipCms50Protocol protocol);
void nhip_cms50_decoder_free(NhipCms50Decoder *self);
NhipCms50Protocol nhip_cms50_decoder_get_protocol(const NhipCms50Decoder *self);
void nhip_cms50_decoder_feed(NhipCms50Decoder *self,
			     const guint8 *buf,
			     gsize bufsz,
			     NhipDecodeOutput *out);
void nhip_cms50_decoder_finish(NhipCms50Decoder *self, NhipDecodeOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipCms50Decoder, nhip_cms50_decoder_free)

G_END_DECLS
