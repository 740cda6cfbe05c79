/*
 * Nhịp — TaiDoc / FORA 8-byte frame: builders and an incremental decoder (no I/O).
 *
 * Frame: 0x51 cmd d0 d1 d2 d3 dir sum, dir 0xA3 host→meter and 0xA5 meter→host,
 * sum = (bytes 0..6) mod 256. See README.md for sources and open questions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-bytes.h"
#include "nhip-taidoc-proto.h"

struct _NhipTaidocDecoder {
	GByteArray *buf;
	gsize buf_offset; /* stream offset of buf->data[0] */
	NhipGarbageRun garbage;
	NhipTaidocFamily family;
	gchar *model;
	GDateTime *pending_time; /* from the last 0x25 reply, for the next 0x26 */
};

/**
 * nhip_taidoc_checksum:
 * @buf: (array length=bufsz): bytes
 * @bufsz: how many
 *
 * Returns: the sum of the bytes modulo 256
 */
guint8
nhip_taidoc_checksum(const guint8 *buf, gsize bufsz)
{
	guint sum = 0;
	for (gsize i = 0; i < bufsz; i++)
		sum += buf[i];
	return (guint8)(sum & 0xff);
}

/**
 * nhip_taidoc_build_frame:
 * @cmd: the command byte
 * @data: (nullable): the 4 data bytes, or %NULL for zeros
 * @direction: %NHIP_TAIDOC_DIR_TO_METER or %NHIP_TAIDOC_DIR_FROM_METER
 * @out: (out caller-allocates): the 8-byte frame
 */
void
nhip_taidoc_build_frame(guint8 cmd,
			const guint8 data[4],
			guint8 direction,
			guint8 out[NHIP_TAIDOC_FRAME_SIZE])
{
	out[0] = NHIP_TAIDOC_START;
	out[1] = cmd;
	for (guint i = 0; i < 4; i++)
		out[2 + i] = data != NULL ? data[i] : 0x00;
	out[6] = direction;
	out[7] = nhip_taidoc_checksum(out, 7);
}

/**
 * nhip_taidoc_build_request:
 * @cmd: a command without arguments (connect, model, clock, count, power off, clear)
 * @out: (out caller-allocates): the 8-byte frame to send
 */
void
nhip_taidoc_build_request(NhipTaidocCommand cmd, guint8 out[NHIP_TAIDOC_FRAME_SIZE])
{
	nhip_taidoc_build_frame((guint8)cmd, NULL, NHIP_TAIDOC_DIR_TO_METER, out);
}

/**
 * nhip_taidoc_build_record_request:
 * @cmd: %NHIP_TAIDOC_CMD_GET_RECORD_TIME or %NHIP_TAIDOC_CMD_GET_RECORD_VALUE
 * @index: record number, 0 = newest
 * @out: (out caller-allocates): the 8-byte frame to send
 */
void
nhip_taidoc_build_record_request(NhipTaidocCommand cmd,
				 guint16 index,
				 guint8 out[NHIP_TAIDOC_FRAME_SIZE])
{
	guint8 data[4] = { 0 };
	nhip_write_uint16(data, index, G_LITTLE_ENDIAN);
	nhip_taidoc_build_frame((guint8)cmd, data, NHIP_TAIDOC_DIR_TO_METER, out);
}

/**
 * nhip_taidoc_build_set_clock:
 * @time: the time to set, in the meter's local time
 * @out: (out caller-allocates): the 8-byte frame to send
 * @error: return location for a #GError
 *
 * The date word holds the year since 2000 in 7 bits, so years 2000–2127 fit.
 *
 * Returns: %TRUE if @time can be represented
 */
gboolean
nhip_taidoc_build_set_clock(GDateTime *time, guint8 out[NHIP_TAIDOC_FRAME_SIZE], GError **error)
{
	guint8 data[4] = { 0 };
	gint year;
	guint16 word;

	g_return_val_if_fail(time != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	year = g_date_time_get_year(time);
	if (year < 2000 || year > 2127) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("year %d cannot be set on a TaiDoc meter (2000–2127 only)"), year);
		return FALSE;
	}
	word = (guint16)(((year - 2000) << 9) | (g_date_time_get_month(time) << 5) |
			 g_date_time_get_day_of_month(time));
	nhip_write_uint16(data, word, G_LITTLE_ENDIAN);
	data[2] = (guint8)g_date_time_get_minute(time);
	data[3] = (guint8)g_date_time_get_hour(time);
	nhip_taidoc_build_frame(NHIP_TAIDOC_CMD_SET_CLOCK, data, NHIP_TAIDOC_DIR_TO_METER, out);
	return TRUE;
}

/**
 * nhip_taidoc_build_start_bp:
 * @out: (out caller-allocates): the 8-byte frame that starts a FORA BP measurement
 */
void
nhip_taidoc_build_start_bp(guint8 out[NHIP_TAIDOC_FRAME_SIZE])
{
	const guint8 data[4] = { 0x00, 0x00, 0x01, 0x01 };
	nhip_taidoc_build_frame(NHIP_TAIDOC_CMD_START_BP, data, NHIP_TAIDOC_DIR_TO_METER, out);
}

/**
 * nhip_taidoc_parse_datetime:
 * @data: the 4 data bytes of a 0x23, 0x25 or 0x33 reply
 * @year: (out): full year
 * @month: (out): month
 * @day: (out): day
 * @hour: (out): hour
 * @minute: (out): minute
 * @error: return location for a #GError
 *
 * The date is a little-endian word `yyyyyyy mmmm ddddd` (year since 2000), then the minute
 * and the hour.
 *
 * Returns: %TRUE if the fields form a date and time
 */
gboolean
nhip_taidoc_parse_datetime(const guint8 data[4],
			   gint *year,
			   gint *month,
			   gint *day,
			   gint *hour,
			   gint *minute,
			   GError **error)
{
	guint16 word = nhip_read_uint16(data, G_LITTLE_ENDIAN);

	*year = 2000 + (word >> 9);
	*month = (word >> 5) & 0x0f;
	*day = word & 0x1f;
	*minute = data[2];
	*hour = data[3];
	if (!g_date_valid_dmy((GDateDay)*day, (GDateMonth)*month, (GDateYear)*year) || *hour > 23 ||
	    *minute > 59) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("date field %04x %02x %02x is not a valid date and time"), word,
			    data[2], data[3]);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_taidoc_family_from_model:
 * @model_bcd: the model number as sent, e.g. 0x4277
 *
 * Returns: the device family that decides the layout of value replies
 */
NhipTaidocFamily
nhip_taidoc_family_from_model(guint16 model_bcd)
{
	switch (model_bcd >> 12) {
	case 0x1:
		return NHIP_TAIDOC_FAMILY_THERMOMETER;
	case 0x2:
		return NHIP_TAIDOC_FAMILY_SCALE;
	case 0x3:
		return NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE;
	case 0x4:
		return NHIP_TAIDOC_FAMILY_GLUCOSE;
	case 0x8:
		return NHIP_TAIDOC_FAMILY_SPO2;
	default:
		return NHIP_TAIDOC_FAMILY_UNKNOWN;
	}
}

/**
 * nhip_taidoc_decoder_new:
 *
 * Returns: (transfer full): a decoder for the bytes a TaiDoc meter sends
 */
NhipTaidocDecoder *
nhip_taidoc_decoder_new(void)
{
	NhipTaidocDecoder *self = g_new0(NhipTaidocDecoder, 1);
	self->buf = g_byte_array_new();
	return self;
}

/**
 * nhip_taidoc_decoder_free:
 * @self: (transfer full) (nullable): a decoder
 */
void
nhip_taidoc_decoder_free(NhipTaidocDecoder *self)
{
	if (self == NULL)
		return;
	g_byte_array_unref(self->buf);
	g_clear_pointer(&self->pending_time, g_date_time_unref);
	g_free(self->model);
	g_free(self);
}

/**
 * nhip_taidoc_decoder_set_family:
 * @self: a decoder
 * @family: the family, when known without a model reply in the stream
 */
void
nhip_taidoc_decoder_set_family(NhipTaidocDecoder *self, NhipTaidocFamily family)
{
	g_return_if_fail(self != NULL);
	self->family = family;
}

/**
 * nhip_taidoc_decoder_get_family:
 * @self: a decoder
 *
 * Returns: the family learned from the model reply, or set by the caller
 */
NhipTaidocFamily
nhip_taidoc_decoder_get_family(const NhipTaidocDecoder *self)
{
	g_return_val_if_fail(self != NULL, NHIP_TAIDOC_FAMILY_UNKNOWN);
	return self->family;
}

static void
taidoc_finish_measurement(NhipTaidocDecoder *self,
			  NhipMeasurement *measurement,
			  NhipMeasurementFlags flags)
{
	if (measurement == NULL)
		return;
	nhip_measurement_set_device_model(measurement, self->model);
	nhip_measurement_set_device_time(measurement, self->pending_time);
	nhip_measurement_add_flags(measurement, flags);
}

static void
taidoc_handle_value(NhipTaidocDecoder *self,
		    const guint8 *frame,
		    gsize offset,
		    NhipDecodeOutput *out)
{
	const guint8 *d = frame + 2;
	NhipMeasurement *m;

	switch (self->family) {
	case NHIP_TAIDOC_FAMILY_UNKNOWN:
	case NHIP_TAIDOC_FAMILY_GLUCOSE: {
		guint16 mgdl = nhip_read_uint16(d, G_LITTLE_ENDIAN);
		NhipMeasurementFlags flags = NHIP_MEASUREMENT_FLAG_STORED;
		gdouble mmoll = nhip_vital_round(NHIP_VITAL_GLUCOSE,
						 nhip_vital_glucose_mgdl_to_mmoll(mgdl));
		/* TD-42xx meters: d3 bit 6 = before meal, bit 7 = after meal */
		if (d[3] & 0x40)
			flags |= NHIP_MEASUREMENT_FLAG_BEFORE_MEAL;
		if (d[3] & 0x80)
			flags |= NHIP_MEASUREMENT_FLAG_AFTER_MEAL;
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_GLUCOSE, mmoll, NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		if (m != NULL)
			nhip_measurement_set_original(m, mgdl, "mg/dL");
		taidoc_finish_measurement(self, m, flags);
		break;
	}
	case NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE:
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_BLOOD_PRESSURE, d[0], d[2], frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_STORED);
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_PULSE, d[3], NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_STORED);
		break;
	case NHIP_TAIDOC_FAMILY_THERMOMETER: {
		guint16 raw = nhip_read_uint16(d, G_LITTLE_ENDIAN);
		/* most models send tenths of a degree; some send hundredths (see README) */
		gdouble celsius = raw >= 1000 ? raw / 100.0 : raw / 10.0;
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_TEMPERATURE, celsius, NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_STORED);
		break;
	}
	case NHIP_TAIDOC_FAMILY_SPO2:
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_SPO2, d[0], NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_STORED);
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_PULSE, d[3], NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_STORED);
		break;
	case NHIP_TAIDOC_FAMILY_SCALE:
		nhip_decode_output_warn(out, NHIP_TAIDOC_DRIVER, NHIP_DECODE_ERROR_UNSUPPORTED,
					offset,
					_("TaiDoc scale records span several frames whose layout "
					  "is not known well enough; the record was not read — "
					  "note the weight by hand"));
		break;
	default:
		g_assert_not_reached();
	}
	g_clear_pointer(&self->pending_time, g_date_time_unref);
}

static GDateTime *
taidoc_frame_time(const guint8 *frame, gsize offset, NhipDecodeOutput *out)
{
	gint year = 0, month = 0, day = 0, hour = 0, minute = 0;
	g_autoptr(GError) error_local = NULL;

	if (!nhip_taidoc_parse_datetime(frame + 2, &year, &month, &day, &hour, &minute,
					&error_local)) {
		nhip_decode_output_warn(out, NHIP_TAIDOC_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset, _("%s; the time was ignored — set the meter clock"),
					error_local->message);
		return NULL;
	}
	return nhip_decode_output_make_time(out, year, month, day, hour, minute, 0);
}

static void
taidoc_handle_frame(NhipTaidocDecoder *self,
		    const guint8 *frame,
		    gsize offset,
		    NhipDecodeOutput *out)
{
	const guint8 *d = frame + 2;

	nhip_dump_raw(G_LOG_DOMAIN, "taidoc frame", frame, NHIP_TAIDOC_FRAME_SIZE);
	switch (frame[1]) {
	case NHIP_TAIDOC_CMD_CONNECT:
	case NHIP_TAIDOC_CMD_ENTER_COMM:
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO, NHIP_TAIDOC_DRIVER,
					     offset, _("meter connected"));
		break;
	case NHIP_TAIDOC_CMD_GET_MODEL: {
		guint16 model = nhip_read_uint16(d, G_LITTLE_ENDIAN);
		NhipDeviceEvent *event;
		g_free(self->model);
		self->model = g_strdup_printf("TD-%04X", model);
		self->family = nhip_taidoc_family_from_model(model);
		event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO,
						     NHIP_TAIDOC_DRIVER, offset,
						     _("meter model %s"), self->model);
		nhip_device_event_set_detail(event, self->model);
		break;
	}
	case NHIP_TAIDOC_CMD_GET_CLOCK:
	case NHIP_TAIDOC_CMD_SET_CLOCK: {
		g_autoptr(GDateTime) time = taidoc_frame_time(frame, offset, out);
		if (time != NULL) {
			NhipDeviceEvent *event = nhip_decode_output_add_event(
				out, NHIP_DEVICE_EVENT_CLOCK, NHIP_TAIDOC_DRIVER, offset,
				_("meter clock read"));
			nhip_device_event_set_time(event, time);
		}
		break;
	}
	case NHIP_TAIDOC_CMD_GET_RECORD_COUNT: {
		guint16 count = nhip_read_uint16(d, G_LITTLE_ENDIAN);
		NhipDeviceEvent *event = nhip_decode_output_add_event(
			out, NHIP_DEVICE_EVENT_RECORD_COUNT, NHIP_TAIDOC_DRIVER, offset,
			g_dngettext(GETTEXT_PACKAGE, "%u stored record", "%u stored records",
				    count),
			(guint)count);
		nhip_device_event_set_value(event, count);
		break;
	}
	case NHIP_TAIDOC_CMD_GET_RECORD_TIME:
		g_clear_pointer(&self->pending_time, g_date_time_unref);
		self->pending_time = taidoc_frame_time(frame, offset, out);
		break;
	case NHIP_TAIDOC_CMD_GET_RECORD_VALUE:
		taidoc_handle_value(self, frame, offset, out);
		break;
	case NHIP_TAIDOC_CMD_SPO2_DATA: {
		NhipMeasurement *m;
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_SPO2, d[0], NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_NONE);
		m = nhip_decode_output_add_measurement(out, NHIP_TAIDOC_DRIVER, offset,
						       NHIP_VITAL_PULSE, d[3], NAN, frame,
						       NHIP_TAIDOC_FRAME_SIZE);
		taidoc_finish_measurement(self, m, NHIP_MEASUREMENT_FLAG_NONE);
		g_clear_pointer(&self->pending_time, g_date_time_unref);
		break;
	}
	case NHIP_TAIDOC_CMD_START_BP:
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO, NHIP_TAIDOC_DRIVER,
					     offset, _("measurement started"));
		break;
	case NHIP_TAIDOC_CMD_POWER_OFF:
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_POWER_OFF, NHIP_TAIDOC_DRIVER,
					     offset, _("meter turned off"));
		break;
	case NHIP_TAIDOC_CMD_CLEAR_MEMORY:
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO, NHIP_TAIDOC_DRIVER,
					     offset, _("meter memory cleared"));
		break;
	default:
		g_debug("taidoc: ignoring reply 0x%02x at byte %" G_GSIZE_FORMAT, frame[1], offset);
		break;
	}
}

/**
 * nhip_taidoc_decoder_feed:
 * @self: a decoder
 * @buf: (array length=bufsz): the next bytes the meter sent, split anywhere
 * @bufsz: how many
 * @out: where measurements, events and warnings go
 *
 * Frames are found by their 0x51 start byte and checked by direction byte and checksum.
 * A frame that fails is reported and the search resumes one byte later, so one corrupt
 * byte loses at most the frame it hit.
 */
void
nhip_taidoc_decoder_feed(NhipTaidocDecoder *self,
			 const guint8 *buf,
			 gsize bufsz,
			 NhipDecodeOutput *out)
{
	gsize pos = 0;

	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);
	g_return_if_fail(buf != NULL || bufsz == 0);

	g_byte_array_append(self->buf, buf, bufsz);
	while (pos < self->buf->len) {
		const guint8 *frame = self->buf->data + pos;
		gsize offset = self->buf_offset + pos;

		if (frame[0] != NHIP_TAIDOC_START) {
			nhip_garbage_run_add(&self->garbage, out, NHIP_TAIDOC_DRIVER, offset);
			pos++;
			continue;
		}
		if (self->buf->len - pos < NHIP_TAIDOC_FRAME_SIZE)
			break;
		if (frame[6] != NHIP_TAIDOC_DIR_FROM_METER &&
		    frame[6] != NHIP_TAIDOC_DIR_TO_METER) {
			nhip_garbage_run_add(&self->garbage, out, NHIP_TAIDOC_DRIVER, offset);
			pos++;
			continue;
		}
		nhip_garbage_run_flush(&self->garbage, out, NHIP_TAIDOC_DRIVER);
		if (nhip_taidoc_checksum(frame, 7) != frame[7]) {
			nhip_decode_output_warn(
				out, NHIP_TAIDOC_DRIVER, NHIP_DECODE_ERROR_CHECKSUM, offset,
				_("frame checksum 0x%02x does not match the computed 0x%02x; the "
				  "frame was dropped — read the meter again"),
				frame[7], nhip_taidoc_checksum(frame, 7));
			self->garbage.quiet_until = offset + NHIP_TAIDOC_FRAME_SIZE;
			pos++;
			continue;
		}
		if (frame[6] == NHIP_TAIDOC_DIR_TO_METER) {
			nhip_decode_output_warn(out, NHIP_TAIDOC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL,
						offset,
						_("frame 0x%02x goes from the station to the meter "
						  "and was skipped — "
						  "decode only the bytes the meter sent"),
						frame[1]);
			pos += NHIP_TAIDOC_FRAME_SIZE;
			continue;
		}
		taidoc_handle_frame(self, frame, offset, out);
		pos += NHIP_TAIDOC_FRAME_SIZE;
	}
	g_byte_array_remove_range(self->buf, 0, (guint)pos);
	self->buf_offset += pos;
}

/**
 * nhip_taidoc_decoder_finish:
 * @self: a decoder
 * @out: where warnings go
 *
 * Ends the stream: a partial frame left over is reported as truncated.
 */
void
nhip_taidoc_decoder_finish(NhipTaidocDecoder *self, NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);

	nhip_garbage_run_flush(&self->garbage, out, NHIP_TAIDOC_DRIVER);
	if (self->buf->len > 0) {
		nhip_decode_output_warn(out, NHIP_TAIDOC_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->buf_offset,
					_("the stream ends inside a frame (%u of 8 bytes); the "
					  "transfer was cut — read the meter again"),
					self->buf->len);
		self->buf_offset += self->buf->len;
		g_byte_array_set_size(self->buf, 0);
	}
}
