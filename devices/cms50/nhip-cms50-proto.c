/*
 * Nhịp — Contec CMS50 pulse oximeters, both protocol generations: command builders and an
 * auto-detecting incremental decoder (no I/O).
 *
 * Old protocol: 5-byte live packets in which only the first byte has bit 7 set; stored
 * data after F2 80 00 preambles and a 3-byte length. F37 protocol: a type byte below 0x80,
 * a byte carrying bit 7 of the following bytes, then data bytes with bit 7 forced on.
 * See README.md for the sources and what is uncertain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-cms50-proto.h"

#define CMS50_F37_FRAME_MAX 9

typedef enum {
	CMS50_OLD_LIVE,
	CMS50_OLD_PREAMBLE,
	CMS50_OLD_LENGTH,
	CMS50_OLD_RECORDS,
} Cms50OldState;

typedef struct {
	gint spo2; /* last raw value handled, -1 = none */
	gint pulse;
} Cms50Track;

struct _NhipCms50Decoder {
	NhipCms50Protocol protocol;
	GByteArray *buf;
	gsize buf_offset;
	NhipGarbageRun garbage;

	/* detection */
	guint old_pos;
	guint old_run;
	gsize new_len;
	gsize new_pos;
	guint new_run;
	guint8 last6[6];

	/* live values */
	gint state; /* NhipDeviceEventKind of the signal, -1 = none yet */
	Cms50Track live;

	/* stored values */
	gboolean in_stored;
	gsize stored_start_offset;
	Cms50Track stored;
	guint sample_index;

	/* old protocol */
	Cms50OldState old_state;
	gsize stored_remaining;

	/* F37 session facts */
	GString *model;
	gchar *serial;
	gint session_year; /* 0 = unknown / no clock */
	gint session_month;
	gint session_day;
	gint session_hour; /* -1 = unknown */
	gint session_minute;
	gint session_second;
};

/* total message length per F37 type byte (OSCAR's table, plus the live packet 0x01) */
static const guint8 cms50_f37_lengths[0x15] = {
	0, 9, 9, 9, 9, 9, 4, 8, 8, 6, 4, 4, 2, 0, 3, 8, 3, 9, 8, 9, 9,
};

/**
 * nhip_cms50_build_command:
 * @cmd: an F37 command
 * @args: (array length=n_args) (nullable): up to 6 argument bytes, each below 0x80
 * @n_args: how many
 * @out: (out caller-allocates): the 9-byte command `7D 81 cmd args… 80…`
 */
void
nhip_cms50_build_command(NhipCms50Command cmd,
			 const guint8 *args,
			 gsize n_args,
			 guint8 out[NHIP_CMS50_F37_COMMAND_SIZE])
{
	g_return_if_fail(n_args <= 6);
	out[0] = 0x7D;
	out[1] = 0x81;
	out[2] = (guint8)cmd | 0x80;
	for (gsize i = 3; i < NHIP_CMS50_F37_COMMAND_SIZE; i++)
		out[i] = 0x80;
	for (gsize i = 0; i < n_args; i++)
		out[3 + i] = (guint8)((args[i] & 0x7F) | 0x80);
}

/**
 * nhip_cms50_build_set_time:
 * @time: the time to set
 * @out: (out caller-allocates): the 9-byte command
 */
void
nhip_cms50_build_set_time(GDateTime *time, guint8 out[NHIP_CMS50_F37_COMMAND_SIZE])
{
	guint8 args[3] = { 0 };
	g_return_if_fail(time != NULL);
	args[0] = (guint8)g_date_time_get_hour(time);
	args[1] = (guint8)g_date_time_get_minute(time);
	args[2] = (guint8)g_date_time_get_second(time);
	nhip_cms50_build_command(NHIP_CMS50_CMD_SET_TIME, args, sizeof(args), out);
}

/**
 * nhip_cms50_build_set_date:
 * @time: the date to set
 * @out: (out caller-allocates): the 9-byte command
 */
void
nhip_cms50_build_set_date(GDateTime *time, guint8 out[NHIP_CMS50_F37_COMMAND_SIZE])
{
	guint8 args[5] = { 0 };
	gint year;
	g_return_if_fail(time != NULL);
	year = g_date_time_get_year(time);
	args[0] = (guint8)(year / 100);
	args[1] = (guint8)(year % 100);
	args[2] = (guint8)g_date_time_get_month(time);
	args[3] = (guint8)g_date_time_get_day_of_month(time);
	args[4] = (guint8)(g_date_time_get_day_of_week(time) % 7); /* Sunday = 0 */
	nhip_cms50_build_command(NHIP_CMS50_CMD_SET_DATE, args, sizeof(args), out);
}

/**
 * nhip_cms50_build_old_stored_request:
 * @out: (out caller-allocates): `F5 F5`, which asks an old-protocol CMS50D+ for its
 *   stored session
 */
void
nhip_cms50_build_old_stored_request(guint8 out[2])
{
	out[0] = 0xF5;
	out[1] = 0xF5;
}

/**
 * nhip_cms50_f37_frame_length:
 * @type: a type byte
 *
 * Returns: the total length of an F37 message of that type, or 0 if unknown
 */
gsize
nhip_cms50_f37_frame_length(guint8 type)
{
	if (type >= G_N_ELEMENTS(cms50_f37_lengths))
		return 0;
	return cms50_f37_lengths[type];
}

/**
 * nhip_cms50_f37_restore_msb:
 * @frame: (array length=len): an F37 message, modified in place
 * @len: its length
 *
 * Puts back bit 7 of bytes 2…: bit k of byte 1 is bit 7 of byte 2 + k.
 */
void
nhip_cms50_f37_restore_msb(guint8 *frame, gsize len)
{
	for (gsize i = 2; i < len && i < 9; i++)
		frame[i] = (guint8)((frame[i] & 0x7F) | (((frame[1] >> (i - 2)) & 1) << 7));
}

static void
cms50_track_reset(Cms50Track *track)
{
	track->spo2 = -1;
	track->pulse = -1;
}

/**
 * nhip_cms50_decoder_new_for_protocol:
 * @protocol: the protocol, or %NHIP_CMS50_PROTOCOL_UNKNOWN to detect it
 *
 * Returns: (transfer full): a decoder
 */
NhipCms50Decoder *
nhip_cms50_decoder_new_for_protocol(NhipCms50Protocol protocol)
{
	NhipCms50Decoder *self = g_new0(NhipCms50Decoder, 1);
	self->protocol = protocol;
	self->buf = g_byte_array_new();
	self->state = -1;
	self->model = g_string_new(NULL);
	self->session_hour = -1;
	cms50_track_reset(&self->live);
	cms50_track_reset(&self->stored);
	return self;
}

/**
 * nhip_cms50_decoder_new:
 *
 * Returns: (transfer full): a decoder that detects the protocol from the bytes
 */
NhipCms50Decoder *
nhip_cms50_decoder_new(void)
{
	return nhip_cms50_decoder_new_for_protocol(NHIP_CMS50_PROTOCOL_UNKNOWN);
}

/**
 * nhip_cms50_decoder_free:
 * @self: (transfer full) (nullable): a decoder
 */
void
nhip_cms50_decoder_free(NhipCms50Decoder *self)
{
	if (self == NULL)
		return;
	g_byte_array_unref(self->buf);
	g_string_free(self->model, TRUE);
	g_free(self->serial);
	g_free(self);
}

/**
 * nhip_cms50_decoder_get_protocol:
 * @self: a decoder
 *
 * Returns: the protocol in use, %NHIP_CMS50_PROTOCOL_UNKNOWN while detecting
 */
NhipCms50Protocol
nhip_cms50_decoder_get_protocol(const NhipCms50Decoder *self)
{
	g_return_val_if_fail(self != NULL, NHIP_CMS50_PROTOCOL_UNKNOWN);
	return self->protocol;
}

static void
cms50_set_identity(NhipCms50Decoder *self, NhipMeasurement *m)
{
	if (m == NULL)
		return;
	nhip_measurement_set_device_model(m, self->model->len > 0 ? self->model->str : NULL);
	nhip_measurement_set_device_serial(m, self->serial);
}

/* one SpO2 / pulse pair; only values that changed are emitted (see README) */
static void
cms50_sample(NhipCms50Decoder *self,
	     Cms50Track *track,
	     gint spo2,
	     gint pulse,
	     const guint8 *frame,
	     gsize len,
	     gsize offset,
	     NhipMeasurementFlags flags,
	     GDateTime *time,
	     NhipDecodeOutput *out)
{
	NhipMeasurement *m;

	if (spo2 != track->spo2) {
		track->spo2 = spo2;
		m = nhip_decode_output_add_measurement(out, NHIP_CMS50_DRIVER, offset,
						       NHIP_VITAL_SPO2, spo2, NAN, frame, len);
		if (m != NULL) {
			nhip_measurement_add_flags(m, flags);
			nhip_measurement_set_device_time(m, time);
			cms50_set_identity(self, m);
		}
	}
	if (pulse != track->pulse) {
		track->pulse = pulse;
		if (pulse == 0xFF) {
			nhip_decode_output_warn(
				out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, offset,
				_("pulse rate 255 is the oximeter's \"no value\" "
				  "marker; the reading was dropped — keep the finger "
				  "still"));
			return;
		}
		m = nhip_decode_output_add_measurement(out, NHIP_CMS50_DRIVER, offset,
						       NHIP_VITAL_PULSE, pulse, NAN, frame, len);
		if (m != NULL) {
			nhip_measurement_add_flags(m, flags);
			nhip_measurement_set_device_time(m, time);
			cms50_set_identity(self, m);
		}
	}
}

static void
cms50_stored_end(NhipCms50Decoder *self, gsize offset, NhipDecodeOutput *out)
{
	NhipDeviceEvent *event;
	if (!self->in_stored)
		return;
	self->in_stored = FALSE;
	event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_STORED_END, NHIP_CMS50_DRIVER,
					     offset, _("stored session read (%u samples)"),
					     self->sample_index);
	nhip_device_event_set_value(event, self->sample_index);
}

static void
cms50_stored_begin(NhipCms50Decoder *self, gsize offset, NhipDecodeOutput *out)
{
	if (self->in_stored)
		return;
	self->in_stored = TRUE;
	self->sample_index = 0;
	cms50_track_reset(&self->stored);
	nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_STORED_BEGIN, NHIP_CMS50_DRIVER, offset,
				     _("reading a stored session"));
}

static void
cms50_live(NhipCms50Decoder *self,
	   NhipDeviceEventKind state,
	   gint spo2,
	   gint pulse,
	   const guint8 *frame,
	   gsize len,
	   gsize offset,
	   NhipDecodeOutput *out)
{
	cms50_stored_end(self, offset, out);
	if ((gint)state != self->state) {
		gboolean first = self->state < 0;
		self->state = (gint)state;
		cms50_track_reset(&self->live);
		switch (state) {
		case NHIP_DEVICE_EVENT_FINGER_OUT:
			nhip_decode_output_add_event(out, state, NHIP_CMS50_DRIVER, offset,
						     _("no finger in the oximeter"));
			break;
		case NHIP_DEVICE_EVENT_PROBE_ERROR:
			nhip_decode_output_add_event(out, state, NHIP_CMS50_DRIVER, offset,
						     _("oximeter probe error"));
			break;
		case NHIP_DEVICE_EVENT_SEARCHING:
			nhip_decode_output_add_event(out, state, NHIP_CMS50_DRIVER, offset,
						     _("oximeter searching for a pulse"));
			break;
		case NHIP_DEVICE_EVENT_SIGNAL_OK:
			if (!first)
				nhip_decode_output_add_event(out, state, NHIP_CMS50_DRIVER, offset,
							     _("oximeter reading again"));
			break;
		case NHIP_DEVICE_EVENT_INFO:
		case NHIP_DEVICE_EVENT_CLOCK:
		case NHIP_DEVICE_EVENT_RECORD_COUNT:
		case NHIP_DEVICE_EVENT_STORED_BEGIN:
		case NHIP_DEVICE_EVENT_STORED_END:
		case NHIP_DEVICE_EVENT_ASSOCIATED:
		case NHIP_DEVICE_EVENT_CONFIGURED:
		case NHIP_DEVICE_EVENT_RELEASED:
		case NHIP_DEVICE_EVENT_ABORTED:
		case NHIP_DEVICE_EVENT_REFUSED:
		case NHIP_DEVICE_EVENT_POWER_OFF:
		case NHIP_DEVICE_EVENT_SUMMARY:
		default:
			g_assert_not_reached();
		}
	}
	if (state != NHIP_DEVICE_EVENT_SIGNAL_OK)
		return;
	cms50_sample(self, &self->live, spo2, pulse, frame, len, offset, NHIP_MEASUREMENT_FLAG_LIVE,
		     NULL, out);
}

/* ---- old protocol ---------------------------------------------------------------- */

static void
cms50_old_handle_live(NhipCms50Decoder *self, const guint8 *f, gsize offset, NhipDecodeOutput *out)
{
	gboolean finger_out = (f[0] & 0x10) != 0;
	gboolean probe_error = (f[2] & 0x10) != 0;
	gboolean searching = (f[2] & 0x20) != 0;
	gint pulse = f[3] | ((f[2] & 0x40) << 1);
	gint spo2 = f[4];
	NhipDeviceEventKind state = NHIP_DEVICE_EVENT_SIGNAL_OK;

	if (probe_error)
		state = NHIP_DEVICE_EVENT_PROBE_ERROR;
	else if (finger_out)
		state = NHIP_DEVICE_EVENT_FINGER_OUT;
	else if (searching || spo2 == 0 || pulse == 0)
		state = NHIP_DEVICE_EVENT_SEARCHING;
	cms50_live(self, state, spo2, pulse, f, NHIP_CMS50_OLD_FRAME_SIZE, offset, out);
}

static gboolean
cms50_old_is_preamble(const guint8 *p)
{
	return p[0] == 0xF2 && p[1] == 0x80 && p[2] == 0x00;
}

static gsize
cms50_old_parse(NhipCms50Decoder *self, NhipDecodeOutput *out)
{
	gsize pos = 0;
	const guint8 *data = self->buf->data;
	gsize len = self->buf->len;

	while (pos < len) {
		const guint8 *p = data + pos;
		gsize avail = len - pos;
		gsize offset = self->buf_offset + pos;

		switch (self->old_state) {
		case CMS50_OLD_LIVE:
			if (p[0] == 0xF2) {
				if (avail < 3)
					return pos;
				if (cms50_old_is_preamble(p)) {
					nhip_garbage_run_flush(&self->garbage, out,
							       NHIP_CMS50_DRIVER);
					self->old_state = CMS50_OLD_PREAMBLE;
					pos += 3;
					continue;
				}
			}
			if ((p[0] & 0x80) == 0) {
				nhip_garbage_run_add(&self->garbage, out, NHIP_CMS50_DRIVER,
						     offset);
				pos++;
				continue;
			}
			if (avail < NHIP_CMS50_OLD_FRAME_SIZE) {
				/* wait only if what we have can still become a packet */
				for (gsize i = 1; i < avail; i++) {
					if (p[i] & 0x80) {
						nhip_garbage_run_add(&self->garbage, out,
								     NHIP_CMS50_DRIVER, offset);
						pos++;
						break;
					}
				}
				if (pos == (gsize)(p - data))
					return pos;
				continue;
			}
			if ((p[1] | p[2] | p[3] | p[4]) & 0x80) {
				nhip_garbage_run_add(&self->garbage, out, NHIP_CMS50_DRIVER,
						     offset);
				pos++;
				continue;
			}
			nhip_garbage_run_flush(&self->garbage, out, NHIP_CMS50_DRIVER);
			cms50_old_handle_live(self, p, offset, out);
			pos += NHIP_CMS50_OLD_FRAME_SIZE;
			break;
		case CMS50_OLD_PREAMBLE:
			if (avail < 3)
				return pos;
			if (cms50_old_is_preamble(p)) {
				pos += 3;
				continue;
			}
			self->old_state = CMS50_OLD_LENGTH;
			break;
		case CMS50_OLD_LENGTH: {
			gsize length;
			if (avail < 3)
				return pos;
			length = ((((gsize)p[0] & 0x7F) << 14) | (((gsize)p[1] & 0x7F) << 7) |
				  p[2]) +
				 1;
			if ((p[0] & 0x80) == 0 || (p[1] & 0x80) == 0 || (p[2] & 0x80) != 0 ||
			    length % 3 != 0) {
				nhip_decode_output_warn(
					out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_MALFORMED, offset,
					_("stored-data length bytes %02x %02x %02x are not valid; "
					  "the "
					  "stored session was not read — ask the oximeter again"),
					p[0], p[1], p[2]);
				self->old_state = CMS50_OLD_LIVE;
				pos += 3;
				continue;
			}
			self->stored_remaining = length;
			cms50_stored_begin(self, offset, out);
			self->old_state = CMS50_OLD_RECORDS;
			pos += 3;
			break;
		}
		case CMS50_OLD_RECORDS:
			if (self->stored_remaining < 3) {
				cms50_stored_end(self, offset, out);
				self->old_state = CMS50_OLD_LIVE;
				continue;
			}
			if (avail < 3)
				return pos;
			if ((p[0] & 0xF0) != 0xF0 || (p[1] & 0x80) == 0 || (p[2] & 0x80) != 0) {
				nhip_decode_output_warn(
					out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_SYNC, offset,
					_("stored record %02x %02x %02x is not valid; the transfer "
					  "broke off after %u samples — ask the oximeter again"),
					p[0], p[1], p[2], self->sample_index);
				cms50_stored_end(self, offset, out);
				self->old_state = CMS50_OLD_LIVE;
				continue;
			}
			if (p[2] == 0 || (p[1] & 0x7F) == 0) {
				cms50_track_reset(&self->stored);
			} else {
				cms50_sample(self, &self->stored, p[2],
					     (p[1] & 0x7F) | ((p[0] & 0x01) << 7), p, 3, offset,
					     NHIP_MEASUREMENT_FLAG_STORED, NULL, out);
			}
			self->sample_index++;
			self->stored_remaining -= 3;
			pos += 3;
			break;
		default:
			g_assert_not_reached();
		}
	}
	return pos;
}

/* ---- F37 protocol ---------------------------------------------------------------- */

static gchar *
cms50_ascii(const guint8 *buf, gsize len)
{
	gchar *str = g_strndup((const gchar *)buf, len);
	for (gchar *c = str; *c != '\0'; c++) {
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	}
	return g_strstrip(str);
}

static GDateTime *
cms50_session_time(NhipCms50Decoder *self, NhipDecodeOutput *out)
{
	g_autoptr(GDateTime) start = NULL;
	if (self->session_year == 0 || self->session_hour < 0)
		return NULL;
	start = nhip_decode_output_make_time(out, self->session_year, self->session_month,
					     self->session_day, self->session_hour,
					     self->session_minute, self->session_second);
	if (start == NULL)
		return NULL;
	return g_date_time_add_seconds(start, self->sample_index);
}

static void
cms50_f37_stored_pair(NhipCms50Decoder *self,
		      gint spo2,
		      gint pulse,
		      const guint8 *frame,
		      gsize len,
		      gsize offset,
		      NhipDecodeOutput *out)
{
	if (spo2 == 0 || pulse == 0 || pulse == 0xFF) {
		/* a second without a reading (finger out while recording) */
		cms50_track_reset(&self->stored);
	} else {
		g_autoptr(GDateTime) time = cms50_session_time(self, out);
		cms50_sample(self, &self->stored, spo2, pulse, frame, len, offset,
			     NHIP_MEASUREMENT_FLAG_STORED, time, out);
	}
	self->sample_index++;
}

static void
cms50_f37_handle(NhipCms50Decoder *self,
		 const guint8 *f,
		 gsize len,
		 gsize offset,
		 NhipDecodeOutput *out)
{
	switch (f[0]) {
	case 0x01: {
		/* live: b3 pleth, b5 pulse, b6 SpO2; 0/0 = no finger (from a capture) */
		NhipDeviceEventKind state = NHIP_DEVICE_EVENT_SIGNAL_OK;
		if (f[5] == 0 && f[6] == 0)
			state = NHIP_DEVICE_EVENT_FINGER_OUT;
		else if (f[5] == 0 || f[6] == 0)
			state = NHIP_DEVICE_EVENT_SEARCHING;
		cms50_live(self, state, f[6], f[5], f, len, offset, out);
		break;
	}
	case 0x02: { /* model name in two 6-character segments */
		g_autofree gchar *part = cms50_ascii(f + 3, 6);
		if (f[2] == 0) {
			g_string_assign(self->model, part);
		} else {
			NhipDeviceEvent *event;
			g_string_append(self->model, part);
			event = nhip_decode_output_add_event(
				out, NHIP_DEVICE_EVENT_INFO, NHIP_CMS50_DRIVER, offset,
				_("oximeter model %s"), self->model->str);
			nhip_device_event_set_detail(event, self->model->str);
		}
		break;
	}
	case 0x03: {
		g_autofree gchar *vendor = cms50_ascii(f + 2, 7);
		NhipDeviceEvent *event =
			nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO, NHIP_CMS50_DRIVER,
						     offset, _("oximeter vendor %s"), vendor);
		nhip_device_event_set_detail(event, vendor);
		break;
	}
	case 0x04: {
		NhipDeviceEvent *event;
		g_free(self->serial);
		self->serial = cms50_ascii(f + 2, 7);
		event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO, NHIP_CMS50_DRIVER,
						     offset, _("oximeter identifier read"));
		nhip_device_event_set_detail(event, self->serial);
		break;
	}
	case 0x07: /* session date: b4 century, b5 year, b6 month, b7 day */
		cms50_stored_end(self, offset, out);
		self->session_year = f[4] * 100 + f[5];
		self->session_month = f[6];
		self->session_day = f[7];
		if (self->session_year == 0)
			g_debug("cms50: the oximeter has no clock (CMS50D+)");
		break;
	case 0x12: /* session time: b4 hour, b5 minute, b6 second */
		cms50_stored_end(self, offset, out);
		self->session_hour = f[4];
		self->session_minute = f[5];
		self->session_second = f[6];
		break;
	case 0x0A: { /* session count at b3 */
		NhipDeviceEvent *event = nhip_decode_output_add_event(
			out, NHIP_DEVICE_EVENT_RECORD_COUNT, NHIP_CMS50_DRIVER, offset,
			g_dngettext(GETTEXT_PACKAGE, "%u stored session", "%u stored sessions",
				    f[3]),
			(guint)f[3]);
		nhip_device_event_set_value(event, f[3]);
		break;
	}
	case 0x09: /* CMS50I stored data: SpO2, pulse, perfusion index */
		cms50_stored_begin(self, offset, out);
		cms50_f37_stored_pair(self, f[2], f[3], f, len, offset, out);
		break;
	case 0x0F: /* CMS50F stored data: three SpO2 / pulse pairs */
		cms50_stored_begin(self, offset, out);
		for (guint i = 0; i < 3; i++)
			cms50_f37_stored_pair(self, f[2 + 2 * i], f[3 + 2 * i], f, len, offset,
					      out);
		break;
	default:
		/* 0x05 (user name: patient data, never logged), acks, versions, durations */
		g_debug("cms50: message type 0x%02x at byte %lu ignored", f[0], offset);
		break;
	}
}

static gsize
cms50_f37_parse(NhipCms50Decoder *self, NhipDecodeOutput *out)
{
	gsize pos = 0;
	const guint8 *data = self->buf->data;
	gsize len = self->buf->len;

	while (pos < len) {
		const guint8 *p = data + pos;
		gsize avail = len - pos;
		gsize offset = self->buf_offset + pos;
		gsize flen = (p[0] & 0x80) ? 0 : nhip_cms50_f37_frame_length(p[0]);
		gboolean valid = flen > 0;
		guint8 frame[CMS50_F37_FRAME_MAX] = { 0 };

		for (gsize i = 1; valid && i < MIN(flen, avail); i++) {
			if ((p[i] & 0x80) == 0)
				valid = FALSE;
		}
		if (!valid) {
			nhip_garbage_run_add(&self->garbage, out, NHIP_CMS50_DRIVER, offset);
			pos++;
			continue;
		}
		if (avail < flen)
			return pos;
		nhip_garbage_run_flush(&self->garbage, out, NHIP_CMS50_DRIVER);
		if (!nhip_memcpy_safe(frame, sizeof(frame), 0, p, avail, 0, flen, NULL))
			g_assert_not_reached();
		nhip_cms50_f37_restore_msb(frame, flen);
		cms50_f37_handle(self, frame, flen, offset, out);
		pos += flen;
	}
	return pos;
}

/* ---- detection ------------------------------------------------------------------- */

static NhipCms50Protocol
cms50_detect_byte(NhipCms50Decoder *self, guint8 b)
{
	gboolean consumed = FALSE;
	static const guint8 preamble2[6] = { 0xF2, 0x80, 0x00, 0xF2, 0x80, 0x00 };

	/* old: one byte with bit 7 set, then four without */
	if (b & 0x80) {
		if (self->old_pos != 0 && self->old_pos != NHIP_CMS50_OLD_FRAME_SIZE)
			self->old_run = 0;
		self->old_pos = 1;
	} else if (self->old_pos >= 1 && self->old_pos < NHIP_CMS50_OLD_FRAME_SIZE) {
		self->old_pos++;
		if (self->old_pos == NHIP_CMS50_OLD_FRAME_SIZE)
			self->old_run++;
	} else {
		self->old_pos = 0;
		self->old_run = 0;
	}
	memmove(self->last6, self->last6 + 1, 5);
	self->last6[5] = b;

	/* F37: a known type byte, then bytes with bit 7 set up to the type's length */
	if (self->new_len > 0 && self->new_pos < self->new_len) {
		if (b & 0x80) {
			self->new_pos++;
			consumed = TRUE;
			if (self->new_pos == self->new_len)
				self->new_run++;
		} else {
			self->new_run = 0;
			self->new_len = 0;
			self->new_pos = 0;
		}
	}
	if (!consumed) {
		gsize flen = (b & 0x80) ? 0 : nhip_cms50_f37_frame_length(b);
		if (flen > 0) {
			self->new_len = flen;
			self->new_pos = 1;
		} else {
			self->new_run = 0;
			self->new_len = 0;
			self->new_pos = 0;
		}
	}

	if (self->new_run >= 3)
		return NHIP_CMS50_PROTOCOL_F37;
	if (self->old_run >= 3 || memcmp(self->last6, preamble2, sizeof(preamble2)) == 0)
		return NHIP_CMS50_PROTOCOL_OLD;
	return NHIP_CMS50_PROTOCOL_UNKNOWN;
}

static void
cms50_parse(NhipCms50Decoder *self, NhipDecodeOutput *out)
{
	gsize pos = 0;
	if (self->protocol == NHIP_CMS50_PROTOCOL_OLD)
		pos = cms50_old_parse(self, out);
	else if (self->protocol == NHIP_CMS50_PROTOCOL_F37)
		pos = cms50_f37_parse(self, out);
	g_byte_array_remove_range(self->buf, 0, (guint)pos);
	self->buf_offset += pos;
}

/**
 * nhip_cms50_decoder_feed:
 * @self: a decoder
 * @buf: (array length=bufsz): the next bytes the oximeter sent, split anywhere
 * @bufsz: how many
 * @out: where measurements, events and warnings go
 *
 * Until the protocol is known, bytes are kept and watched: three well-formed messages in
 * a row of one generation decide it (two old stored-data preambles also do), and the kept
 * bytes are then decoded from the start. Live values are emitted when they change;
 * "finger out", "searching" and "probe error" are events, not measurements.
 */
void
nhip_cms50_decoder_feed(NhipCms50Decoder *self,
			const guint8 *buf,
			gsize bufsz,
			NhipDecodeOutput *out)
{
	gsize i = 0;

	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);
	g_return_if_fail(buf != NULL || bufsz == 0);

	for (; i < bufsz && self->protocol == NHIP_CMS50_PROTOCOL_UNKNOWN; i++) {
		NhipCms50Protocol protocol;
		g_byte_array_append(self->buf, buf + i, 1);
		protocol = cms50_detect_byte(self, buf[i]);
		if (protocol != NHIP_CMS50_PROTOCOL_UNKNOWN) {
			NhipDeviceEvent *event;
			self->protocol = protocol;
			event = nhip_decode_output_add_event(
				out, NHIP_DEVICE_EVENT_INFO, NHIP_CMS50_DRIVER, self->buf_offset,
				protocol == NHIP_CMS50_PROTOCOL_OLD
					? _("oximeter speaks the old CMS50D+ protocol")
					: _("oximeter speaks the CMS50 F37 protocol"));
			nhip_device_event_set_detail(
				event, protocol == NHIP_CMS50_PROTOCOL_OLD ? "old" : "f37");
			continue;
		}
		if (self->buf->len >= NHIP_CMS50_DETECT_MAX) {
			nhip_decode_output_warn(
				out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_SYNC, self->buf_offset,
				_("no CMS50 protocol recognised in %u bytes; they were skipped — "
				  "check the serial settings (115200 8N1 or 19200 8O1)"),
				self->buf->len);
			self->buf_offset += self->buf->len;
			g_byte_array_set_size(self->buf, 0);
		}
	}
	if (self->protocol == NHIP_CMS50_PROTOCOL_UNKNOWN)
		return;
	g_byte_array_append(self->buf, buf + i, (guint)(bufsz - i));
	cms50_parse(self, out);
}

/**
 * nhip_cms50_decoder_finish:
 * @self: a decoder
 * @out: where the last events and warnings go
 *
 * Ends the stream: an unrecognised stream, a partial message or an unfinished stored
 * session is reported.
 */
void
nhip_cms50_decoder_finish(NhipCms50Decoder *self, NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);

	nhip_garbage_run_flush(&self->garbage, out, NHIP_CMS50_DRIVER);
	if (self->protocol == NHIP_CMS50_PROTOCOL_UNKNOWN && self->buf->len > 0) {
		nhip_decode_output_warn(out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_SYNC,
					self->buf_offset,
					_("no CMS50 protocol recognised in %u bytes — check the "
					  "serial settings (115200 8N1 or 19200 8O1)"),
					self->buf->len);
	} else if (self->buf->len > 0) {
		nhip_decode_output_warn(
			out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_TRUNCATED, self->buf_offset,
			_("the stream ends inside a message (%u bytes)"), self->buf->len);
	}
	if (self->protocol == NHIP_CMS50_PROTOCOL_OLD && self->old_state == CMS50_OLD_RECORDS &&
	    self->stored_remaining >= 3) {
		nhip_decode_output_warn(out, NHIP_CMS50_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->buf_offset + self->buf->len,
					_("the stored session ends %lu"
					  " bytes early; the transfer was cut — ask the oximeter "
					  "again"),
					self->stored_remaining);
	}
	cms50_stored_end(self, self->buf_offset + self->buf->len, out);
	self->buf_offset += self->buf->len;
	g_byte_array_set_size(self->buf, 0);
}
