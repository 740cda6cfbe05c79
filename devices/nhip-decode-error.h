/*
 * Nhịp — error domain of the device frame decoders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_DECODE_ERROR (nhip_decode_error_quark())

/**
 * NhipDecodeError:
 * @NHIP_DECODE_ERROR_CHECKSUM: a frame's checksum does not match its contents
 * @NHIP_DECODE_ERROR_TRUNCATED: a frame or field ends before its declared length
 * @NHIP_DECODE_ERROR_SYNC: bytes that belong to no frame were skipped
 * @NHIP_DECODE_ERROR_OVERSIZE: a frame is longer than the protocol allows
 * @NHIP_DECODE_ERROR_MALFORMED: a field holds a value the protocol does not allow
 * @NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE: a reading cannot be a real measurement
 * @NHIP_DECODE_ERROR_UNSUPPORTED: a valid frame that this decoder does not handle
 * @NHIP_DECODE_ERROR_PROTOCOL: a frame arrived in a state where it is not allowed
 * @NHIP_DECODE_ERROR_REFUSED: the device refused a request
 * @NHIP_DECODE_ERROR_NO_DATA: the stream holds no valid measurement
 * @NHIP_DECODE_ERROR_UNKNOWN_DRIVER: no decoder has this name
 * @NHIP_DECODE_ERROR_INVALID_HEX: hex text could not be read
 *
 * Errors of the pure decoders. Decoders report problems inside a stream as warnings and go
 * on with the next frame; only the whole-stream helpers fail with these codes.
 */
typedef enum {
	NHIP_DECODE_ERROR_CHECKSUM,
	NHIP_DECODE_ERROR_TRUNCATED,
	NHIP_DECODE_ERROR_SYNC,
	NHIP_DECODE_ERROR_OVERSIZE,
	NHIP_DECODE_ERROR_MALFORMED,
	NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE,
	NHIP_DECODE_ERROR_UNSUPPORTED,
	NHIP_DECODE_ERROR_PROTOCOL,
	NHIP_DECODE_ERROR_REFUSED,
	NHIP_DECODE_ERROR_NO_DATA,
	NHIP_DECODE_ERROR_UNKNOWN_DRIVER,
	NHIP_DECODE_ERROR_INVALID_HEX,
} NhipDecodeError;

GQuark nhip_decode_error_quark(void);

G_END_DECLS
