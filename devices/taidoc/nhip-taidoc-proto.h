/*
 * Nhịp — TaiDoc / FORA 8-byte frame: builders and an incremental decoder (no I/O).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-output.h"

G_BEGIN_DECLS

#define NHIP_TAIDOC_DRIVER	   "taidoc"
#define NHIP_TAIDOC_FRAME_SIZE	   8
#define NHIP_TAIDOC_START	   0x51
#define NHIP_TAIDOC_DIR_TO_METER   0xA3
#define NHIP_TAIDOC_DIR_FROM_METER 0xA5

/**
 * NhipTaidocCommand:
 * @NHIP_TAIDOC_CMD_CONNECT: wake the meter (replies 0x22, 0x24 or 0x54)
 * @NHIP_TAIDOC_CMD_GET_CLOCK: read the meter clock
 * @NHIP_TAIDOC_CMD_GET_MODEL: read the model number (BCD, e.g. 0x4277 for TD-4277)
 * @NHIP_TAIDOC_CMD_GET_RECORD_TIME: read the time of stored record N
 * @NHIP_TAIDOC_CMD_GET_RECORD_VALUE: read the value of stored record N
 * @NHIP_TAIDOC_CMD_GET_RECORD_COUNT: read how many records are stored
 * @NHIP_TAIDOC_CMD_SET_CLOCK: set the meter clock
 * @NHIP_TAIDOC_CMD_START_BP: start a blood-pressure measurement (FORA BP monitors)
 * @NHIP_TAIDOC_CMD_SPO2_DATA: read the SpO2 reading (TD-8201)
 * @NHIP_TAIDOC_CMD_POWER_OFF: turn the meter off
 * @NHIP_TAIDOC_CMD_CLEAR_MEMORY: erase every stored record
 * @NHIP_TAIDOC_CMD_ENTER_COMM: enter communication mode (FORA BP monitors)
 */
typedef enum {
	NHIP_TAIDOC_CMD_CONNECT = 0x22,
	NHIP_TAIDOC_CMD_GET_CLOCK = 0x23,
	NHIP_TAIDOC_CMD_GET_MODEL = 0x24,
	NHIP_TAIDOC_CMD_GET_RECORD_TIME = 0x25,
	NHIP_TAIDOC_CMD_GET_RECORD_VALUE = 0x26,
	NHIP_TAIDOC_CMD_GET_RECORD_COUNT = 0x2B,
	NHIP_TAIDOC_CMD_SET_CLOCK = 0x33,
	NHIP_TAIDOC_CMD_START_BP = 0x43,
	NHIP_TAIDOC_CMD_SPO2_DATA = 0x49,
	NHIP_TAIDOC_CMD_POWER_OFF = 0x50,
	NHIP_TAIDOC_CMD_CLEAR_MEMORY = 0x52,
	NHIP_TAIDOC_CMD_ENTER_COMM = 0x54,
} NhipTaidocCommand;

/**
 * NhipTaidocFamily:
 * @NHIP_TAIDOC_FAMILY_UNKNOWN: model not (yet) known
 * @NHIP_TAIDOC_FAMILY_GLUCOSE: glucose meters (TD-4xxx)
 * @NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE: blood-pressure monitors (TD-3xxx)
 * @NHIP_TAIDOC_FAMILY_THERMOMETER: thermometers (TD-1xxx)
 * @NHIP_TAIDOC_FAMILY_SPO2: pulse oximeters (TD-8xxx)
 * @NHIP_TAIDOC_FAMILY_SCALE: scales (TD-2xxx)
 *
 * How the value reply (0x26) is laid out; told by the first digit of the model number.
 */
typedef enum {
	NHIP_TAIDOC_FAMILY_UNKNOWN,
	NHIP_TAIDOC_FAMILY_GLUCOSE,
	NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE,
	NHIP_TAIDOC_FAMILY_THERMOMETER,
	NHIP_TAIDOC_FAMILY_SPO2,
	NHIP_TAIDOC_FAMILY_SCALE,
} NhipTaidocFamily;

guint8 nhip_taidoc_checksum(const guint8 *buf, gsize bufsz);
void nhip_taidoc_build_frame(guint8 cmd,
			     const guint8 data[4],
			     guint8 direction,
			     guint8 out[NHIP_TAIDOC_FRAME_SIZE]);
void nhip_taidoc_build_request(NhipTaidocCommand cmd, guint8 out[NHIP_TAIDOC_FRAME_SIZE]);
void nhip_taidoc_build_record_request(NhipTaidocCommand cmd,
				      guint16 index,
				      guint8 out[NHIP_TAIDOC_FRAME_SIZE]);
gboolean nhip_taidoc_build_set_clock(GDateTime *time,
				     guint8 out[NHIP_TAIDOC_FRAME_SIZE],
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_taidoc_build_start_bp(guint8 out[NHIP_TAIDOC_FRAME_SIZE]);
gboolean nhip_taidoc_parse_datetime(const guint8 data[4],
				    gint *year,
				    gint *month,
				    gint *day,
				    gint *hour,
				    gint *minute,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipTaidocFamily nhip_taidoc_family_from_model(guint16 model_bcd);

typedef struct _NhipTaidocDecoder NhipTaidocDecoder;

NhipTaidocDecoder *nhip_taidoc_decoder_new(void);
void nhip_taidoc_decoder_free(NhipTaidocDecoder *self);
void nhip_taidoc_decoder_set_family(NhipTaidocDecoder *self, NhipTaidocFamily family);
NhipTaidocFamily nhip_taidoc_decoder_get_family(const NhipTaidocDecoder *self);
void nhip_taidoc_decoder_feed(NhipTaidocDecoder *self,
			      const guint8 *buf,
			      gsize bufsz,
			      NhipDecodeOutput *out);
void nhip_taidoc_decoder_finish(NhipTaidocDecoder *self, NhipDecodeOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipTaidocDecoder, nhip_taidoc_decoder_free)

G_END_DECLS
