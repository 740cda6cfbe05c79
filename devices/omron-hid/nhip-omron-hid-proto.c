/*
 * Nhịp — Omron HEM-7xx0IT HID protocol: command builders and reply decoder (no I/O).
 *
 * Reports are 8 bytes: byte 0 counts the valid bytes that follow (≤ 7). Commands are three
 * ASCII letters, argument bytes and the XOR of the arguments. Replies are "OK" 00 data XOR,
 * "NO", or "OFF\r\n", spread over as many reports as needed. See README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-omron-hid-proto.h"

struct _NhipOmronHidDecoder {
	GByteArray *buf; /* raw report bytes not yet consumed */
	gsize buf_offset;
	GByteArray *response; /* payload of the reply being assembled */
	gsize response_offset;
	gboolean in_response;
	NhipGarbageRun garbage;
	gchar *model;
	gchar *serial;
};

/* total lengths of the replies we know ("OK" 00 + data + checksum, "NO", "OFF\r\n") */
static const gsize omron_known_lengths[] = { 2, 5, 8, 11, 12, 14, 15, 17 };

/**
 * nhip_omron_hid_xor:
 * @buf: (array length=bufsz): bytes
 * @bufsz: how many
 *
 * Returns: the XOR of the bytes
 */
guint8
nhip_omron_hid_xor(const guint8 *buf, gsize bufsz)
{
	guint8 x = 0;
	for (gsize i = 0; i < bufsz; i++)
		x ^= buf[i];
	return x;
}

/**
 * nhip_omron_hid_build_mode:
 * @mode: the mode
 * @out: (out caller-allocates): the 2 data bytes of the feature report
 */
void
nhip_omron_hid_build_mode(NhipOmronHidMode mode, guint8 out[2])
{
	nhip_write_uint16(out, (guint16)mode, G_BIG_ENDIAN);
}

/**
 * nhip_omron_hid_build_command:
 * @mnemonic: three ASCII letters, e.g. "GME"
 * @args: (array length=n_args): argument bytes
 * @n_args: how many (at least 1)
 *
 * Returns: (transfer full): mnemonic + arguments + XOR of the arguments
 */
GBytes *
nhip_omron_hid_build_command(const gchar *mnemonic, const guint8 *args, gsize n_args)
{
	GByteArray *cmd;

	g_return_val_if_fail(mnemonic != NULL && strlen(mnemonic) == 3, NULL);
	g_return_val_if_fail(args != NULL && n_args > 0, NULL);

	cmd = g_byte_array_sized_new((guint)(n_args + 4));
	g_byte_array_append(cmd, (const guint8 *)mnemonic, 3);
	g_byte_array_append(cmd, args, (guint)n_args);
	nhip_byte_array_append_uint8(cmd, nhip_omron_hid_xor(args, n_args));
	return g_byte_array_free_to_bytes(cmd);
}

/**
 * nhip_omron_hid_build_reports:
 * @payload: a command
 *
 * Splits a command into 8-byte output reports of at most 7 payload bytes each.
 *
 * Returns: (transfer full): the reports, concatenated (a multiple of 8 bytes)
 */
GBytes *
nhip_omron_hid_build_reports(GBytes *payload)
{
	gsize n = 0;
	const guint8 *data;
	GByteArray *reports;

	g_return_val_if_fail(payload != NULL, NULL);
	data = g_bytes_get_data(payload, &n);
	reports = g_byte_array_new();
	for (gsize pos = 0; pos < n || (n == 0 && pos == 0); pos += 7) {
		guint8 report[NHIP_OMRON_HID_REPORT_SIZE] = { 0 };
		gsize chunk = MIN(7, n - pos);
		report[0] = (guint8)chunk;
		if (chunk > 0 &&
		    !nhip_memcpy_safe(report, sizeof(report), 1, data, n, pos, chunk, NULL))
			g_assert_not_reached();
		g_byte_array_append(reports, report, sizeof(report));
		if (n == 0)
			break;
	}
	return g_byte_array_free_to_bytes(reports);
}

static GBytes *
omron_build_reports_for(const gchar *mnemonic, const guint8 *args, gsize n_args)
{
	g_autoptr(GBytes) cmd = nhip_omron_hid_build_command(mnemonic, args, n_args);
	return nhip_omron_hid_build_reports(cmd);
}

/**
 * nhip_omron_hid_build_version:
 *
 * Returns: (transfer full): the output reports of `VER00` (device-info mode)
 */
GBytes *
nhip_omron_hid_build_version(void)
{
	const guint8 args[] = { '0' };
	return omron_build_reports_for("VER", args, sizeof(args));
}

/**
 * nhip_omron_hid_build_daily_count:
 * @bank: user bank (0 or 1; 2 on some models)
 *
 * Returns: (transfer full): the output reports of `GDC` (daily mode)
 */
GBytes *
nhip_omron_hid_build_daily_count(guint8 bank)
{
	const guint8 args[] = { 0x00, bank, 0x00, 0x00 };
	return omron_build_reports_for("GDC", args, sizeof(args));
}

/**
 * nhip_omron_hid_build_daily_record:
 * @bank: user bank
 * @index: record number, 0 = newest
 *
 * Returns: (transfer full): the output reports of `GME` (daily mode)
 */
GBytes *
nhip_omron_hid_build_daily_record(guint8 bank, guint8 index)
{
	const guint8 args[] = { 0x00, bank, 0x00, index };
	return omron_build_reports_for("GME", args, sizeof(args));
}

/**
 * nhip_omron_hid_build_weekly_record:
 * @bank: user bank
 * @index: week number
 * @evening: %TRUE for the evening average (GEA), %FALSE for the morning one (GMA)
 *
 * Returns: (transfer full): the output reports (weekly mode)
 */
GBytes *
nhip_omron_hid_build_weekly_record(guint8 bank, guint8 index, gboolean evening)
{
	const guint8 args[] = { 0x00, bank, index, 0x00, 0x00 };
	return omron_build_reports_for(evening ? "GEA" : "GMA", args, sizeof(args));
}

/**
 * nhip_omron_hid_build_end:
 *
 * Returns: (transfer full): the output reports of `END` (the device answers OFF and
 *   turns itself off)
 */
GBytes *
nhip_omron_hid_build_end(void)
{
	const guint8 args[] = { 0xff };
	return omron_build_reports_for("END", args, sizeof(args));
}

/**
 * nhip_omron_hid_build_clear_block:
 *
 * The tail of the "clearing block" sent after a mode change, once the device echoed one
 * report of 7 zero bytes: three reports of 7 zero bytes and one of 2 zero bytes.
 *
 * Returns: (transfer full): 4 output reports, concatenated
 */
GBytes *
nhip_omron_hid_build_clear_block(void)
{
	guint8 reports[4 * NHIP_OMRON_HID_REPORT_SIZE] = { 0 };
	reports[0] = 7;
	reports[8] = 7;
	reports[16] = 7;
	reports[24] = 2;
	return g_bytes_new(reports, sizeof(reports));
}

/**
 * nhip_omron_hid_decoder_new:
 *
 * Returns: (transfer full): a decoder for the input reports of an Omron HEM-7xx0IT
 */
NhipOmronHidDecoder *
nhip_omron_hid_decoder_new(void)
{
	NhipOmronHidDecoder *self = g_new0(NhipOmronHidDecoder, 1);
	self->buf = g_byte_array_new();
	self->response = g_byte_array_new();
	return self;
}

/**
 * nhip_omron_hid_decoder_free:
 * @self: (transfer full) (nullable): a decoder
 */
void
nhip_omron_hid_decoder_free(NhipOmronHidDecoder *self)
{
	if (self == NULL)
		return;
	g_byte_array_unref(self->buf);
	g_byte_array_unref(self->response);
	g_free(self->model);
	g_free(self->serial);
	g_free(self);
}

static gboolean
omron_is_known_length(gsize len)
{
	for (guint i = 0; i < G_N_ELEMENTS(omron_known_lengths); i++) {
		if (omron_known_lengths[i] == len)
			return TRUE;
	}
	return FALSE;
}

static gboolean
omron_starts_reply(const guint8 *payload, guint8 count)
{
	if (count < 2)
		return FALSE;
	if (payload[0] == 'O' && payload[1] == 'K')
		return TRUE;
	if (payload[0] == 'N' && payload[1] == 'O')
		return TRUE;
	return count >= 3 && payload[0] == 'O' && payload[1] == 'F' && payload[2] == 'F';
}

static void
omron_handle_record(NhipOmronHidDecoder *self,
		    const guint8 *data,
		    const guint8 *reply,
		    gsize reply_len,
		    gsize offset,
		    NhipDecodeOutput *out)
{
	g_autoptr(GDateTime) time = NULL;
	NhipMeasurement *m;

	/* yy mm dd hh mi ss ?? ?? SYS DIA PULSE ?? flags */
	time = nhip_decode_output_make_time(out, 2000 + data[0], data[1], data[2], data[3], data[4],
					    data[5]);
	if (time == NULL) {
		nhip_decode_output_warn(out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset,
					_("record date %02u-%02u-%02u %02u:%02u:%02u is not valid; "
					  "the reading is kept without a device time — set the "
					  "monitor clock"),
					data[0], data[1], data[2], data[3], data[4], data[5]);
	}
	m = nhip_decode_output_add_measurement(out, NHIP_OMRON_HID_DRIVER, offset,
					       NHIP_VITAL_BLOOD_PRESSURE, data[8], data[9], reply,
					       reply_len);
	if (m != NULL) {
		nhip_measurement_add_flags(m, NHIP_MEASUREMENT_FLAG_STORED);
		nhip_measurement_set_device_time(m, time);
		nhip_measurement_set_device_model(m, self->model);
		nhip_measurement_set_device_serial(m, self->serial);
	}
	m = nhip_decode_output_add_measurement(out, NHIP_OMRON_HID_DRIVER, offset, NHIP_VITAL_PULSE,
					       data[10], NAN, reply, reply_len);
	if (m != NULL) {
		nhip_measurement_add_flags(m, NHIP_MEASUREMENT_FLAG_STORED);
		nhip_measurement_set_device_time(m, time);
		nhip_measurement_set_device_model(m, self->model);
		nhip_measurement_set_device_serial(m, self->serial);
	}
}

static void
omron_handle_reply(NhipOmronHidDecoder *self, NhipDecodeOutput *out)
{
	const guint8 *reply = self->response->data;
	gsize len = self->response->len;
	gsize offset = self->response_offset;
	const guint8 *data;
	gsize n;

	nhip_dump_raw(G_LOG_DOMAIN, "omron reply", reply, len);
	if (len >= 2 && reply[0] == 'N' && reply[1] == 'O') {
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_REFUSED, NHIP_OMRON_HID_DRIVER,
					     offset,
					     _("the monitor answered NO; the request must be sent "
					       "again"));
		return;
	}
	if (len >= 3 && memcmp(reply, "OFF", 3) == 0) {
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_POWER_OFF,
					     NHIP_OMRON_HID_DRIVER, offset,
					     _("the monitor ended the session and turns off"));
		return;
	}
	if (len == 2)
		return; /* bare "OK" acknowledges a mode change or the clearing block */
	if (len < 5 || reply[2] != 0x00) {
		nhip_decode_output_warn(out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset,
					_("reply of %lu"
					  " bytes is not \"OK\", 00, data and checksum; it was "
					  "dropped"),
					len);
		return;
	}
	data = reply + 3;
	n = len - 4;
	if (nhip_omron_hid_xor(data, n) != reply[len - 1]) {
		nhip_decode_output_warn(
			out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_CHECKSUM, offset,
			_("reply checksum 0x%02x does not match the computed 0x%02x; "
			  "the reply was dropped — read the monitor again"),
			reply[len - 1], nhip_omron_hid_xor(data, n));
		return;
	}
	switch (n) {
	case 11: { /* VER00: model and firmware, e.g. "M7080IT 207" */
		NhipDeviceEvent *event;
		g_free(self->model);
		self->model = g_strstrip(g_strndup((const gchar *)data, n));
		if (!g_utf8_validate(self->model, -1, NULL))
			g_strcanon(self->model,
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789 -_.",
				   '?');
		event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO,
						     NHIP_OMRON_HID_DRIVER, offset,
						     _("monitor version %s"), self->model);
		nhip_device_event_set_detail(event, self->model);
		break;
	}
	case 10: /* PRF00: meaning unknown */
		g_debug("omron: PRF reply at byte %" G_GSIZE_FORMAT, offset);
		break;
	case 7: { /* SRL00: 7 binary bytes, perhaps a serial number */
		NhipDeviceEvent *event;
		g_free(self->serial);
		self->serial = nhip_bytes_to_hex(data, n, NULL);
		event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO,
						     NHIP_OMRON_HID_DRIVER, offset,
						     _("monitor serial read"));
		nhip_device_event_set_detail(event, self->serial);
		break;
	}
	case 4: { /* GDC: byte 3 = number of stored readings */
		NhipDeviceEvent *event = nhip_decode_output_add_event(
			out, NHIP_DEVICE_EVENT_RECORD_COUNT, NHIP_OMRON_HID_DRIVER, offset,
			g_dngettext(GETTEXT_PACKAGE, "%u stored reading", "%u stored readings",
				    data[3]),
			(guint)data[3]);
		nhip_device_event_set_value(event, data[3]);
		break;
	}
	case 8: { /* GMA/GEA: 80 ?? yy mm dd SYS-25 DIA PULSE */
		NhipDeviceEvent *event;
		g_autofree gchar *detail = NULL;
		if (data[5] == 0 && data[6] == 0)
			break; /* no readings in that week */
		detail = g_strdup_printf("20%02u-%02u-%02u %u/%u %u", data[2], data[3], data[4],
					 data[5] + 25u, data[6], data[7]);
		event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_SUMMARY,
						     NHIP_OMRON_HID_DRIVER, offset,
						     _("weekly average (not stored as a reading)"));
		nhip_device_event_set_detail(event, detail);
		break;
	}
	case 13:
		omron_handle_record(self, data, reply, len, offset, out);
		break;
	default:
		nhip_decode_output_warn(out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_UNSUPPORTED,
					offset,
					_("reply with %lu"
					  " data bytes is not one this decoder knows; it was "
					  "skipped"),
					n);
		break;
	}
}

static void
omron_end_reply(NhipOmronHidDecoder *self, NhipDecodeOutput *out)
{
	if (!self->in_response)
		return;
	omron_handle_reply(self, out);
	self->in_response = FALSE;
	g_byte_array_set_size(self->response, 0);
}

/**
 * nhip_omron_hid_decoder_feed:
 * @self: a decoder
 * @buf: (array length=bufsz): input reports (8 bytes each) as read, split anywhere
 * @bufsz: how many bytes
 * @out: where measurements, events and warnings go
 *
 * A reply starts with a report whose payload begins "OK", "NO" or "OFF", and ends with a
 * report of fewer than 7 payload bytes, or when the next reply starts. Reports of zero
 * bytes (the clearing-block echo) are ignored. A byte that cannot start a report is
 * skipped, so the decoder finds the report boundaries again after garbage.
 */
void
nhip_omron_hid_decoder_feed(NhipOmronHidDecoder *self,
			    const guint8 *buf,
			    gsize bufsz,
			    NhipDecodeOutput *out)
{
	gsize pos = 0;

	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);
	g_return_if_fail(buf != NULL || bufsz == 0);

	g_byte_array_append(self->buf, buf, bufsz);
	while (self->buf->len - pos >= NHIP_OMRON_HID_REPORT_SIZE) {
		const guint8 *report = self->buf->data + pos;
		gsize offset = self->buf_offset + pos;
		guint8 count = report[0];
		const guint8 *payload = report + 1;
		const guint8 zero_payload[7] = { 0 };
		gboolean zeros = memcmp(payload, zero_payload, sizeof(zero_payload)) == 0;

		if (count > 7) {
			if (self->in_response) {
				nhip_decode_output_warn(
					out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->response_offset,
					_("reply cut after %u bytes by an invalid report; it was "
					  "dropped — read the monitor again"),
					self->response->len);
				self->in_response = FALSE;
				g_byte_array_set_size(self->response, 0);
			}
			nhip_garbage_run_add(&self->garbage, out, NHIP_OMRON_HID_DRIVER, offset);
			pos++;
			continue;
		}
		if (omron_starts_reply(payload, count) &&
		    (!self->in_response || omron_is_known_length(self->response->len))) {
			nhip_garbage_run_flush(&self->garbage, out, NHIP_OMRON_HID_DRIVER);
			omron_end_reply(self, out);
			self->in_response = TRUE;
			self->response_offset = offset;
		} else if (!self->in_response) {
			if (zeros) {
				/* the clearing-block echo: a report of zeros */
				nhip_garbage_run_flush(&self->garbage, out, NHIP_OMRON_HID_DRIVER);
				pos += NHIP_OMRON_HID_REPORT_SIZE;
				continue;
			}
			nhip_garbage_run_add(&self->garbage, out, NHIP_OMRON_HID_DRIVER, offset);
			pos++;
			continue;
		}
		if (self->response->len + count > NHIP_OMRON_HID_RESPONSE_MAX) {
			nhip_decode_output_warn(out, NHIP_OMRON_HID_DRIVER,
						NHIP_DECODE_ERROR_OVERSIZE, self->response_offset,
						_("reply longer than %d bytes; it was dropped — "
						  "unplug and replug the monitor"),
						NHIP_OMRON_HID_RESPONSE_MAX);
			self->in_response = FALSE;
			g_byte_array_set_size(self->response, 0);
			pos += NHIP_OMRON_HID_REPORT_SIZE;
			continue;
		}
		g_byte_array_append(self->response, payload, count);
		pos += NHIP_OMRON_HID_REPORT_SIZE;
		/* "OFF\r\n" has no checksum and may come with padding counted in */
		if (count < 7 || memcmp(self->response->data, "OFF", 3) == 0)
			omron_end_reply(self, out);
	}
	g_byte_array_remove_range(self->buf, 0, (guint)pos);
	self->buf_offset += pos;
}

/**
 * nhip_omron_hid_decoder_finish:
 * @self: a decoder
 * @out: where the last reply and warnings go
 *
 * Ends the stream: a reply of a known length still open is handled; a partial report or
 * a reply of unknown length is reported as truncated.
 */
void
nhip_omron_hid_decoder_finish(NhipOmronHidDecoder *self, NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);

	nhip_garbage_run_flush(&self->garbage, out, NHIP_OMRON_HID_DRIVER);
	if (self->in_response) {
		if (omron_is_known_length(self->response->len)) {
			omron_end_reply(self, out);
		} else {
			nhip_decode_output_warn(
				out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
				self->response_offset,
				_("the stream ends inside a reply (%u bytes); it was "
				  "dropped — read the monitor again"),
				self->response->len);
			self->in_response = FALSE;
			g_byte_array_set_size(self->response, 0);
		}
	}
	if (self->buf->len > 0) {
		nhip_decode_output_warn(
			out, NHIP_OMRON_HID_DRIVER, NHIP_DECODE_ERROR_TRUNCATED, self->buf_offset,
			_("the stream ends inside a report (%u of 8 bytes)"), self->buf->len);
		self->buf_offset += self->buf->len;
		g_byte_array_set_size(self->buf, 0);
	}
}
