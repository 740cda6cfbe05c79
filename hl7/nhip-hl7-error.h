/*
 * Nhịp — error domain of the HL7 v2 and MLLP code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_HL7_ERROR (nhip_hl7_error_quark())

/**
 * NhipHl7Error:
 * @NHIP_HL7_ERROR_FAILED: any other failure
 * @NHIP_HL7_ERROR_NO_HEADER: the message does not start with an MSH segment
 * @NHIP_HL7_ERROR_DELIMITERS: MSH-1 or MSH-2 do not hold usable delimiters
 * @NHIP_HL7_ERROR_TRUNCATED: the message ends before its header is complete
 * @NHIP_HL7_ERROR_SEGMENT: a segment id is not three letters or digits
 * @NHIP_HL7_ERROR_ENCODING: the text is not UTF-8, or MSH-18 names another character set
 * @NHIP_HL7_ERROR_ESCAPE: a malformed escape sequence
 * @NHIP_HL7_ERROR_LIMIT: the message, a field or the segment count exceeds a limit
 * @NHIP_HL7_ERROR_PATH: a path such as `PID-5-1` is malformed
 * @NHIP_HL7_ERROR_NOT_FOUND: the segment named by a path is not in the message
 * @NHIP_HL7_ERROR_INVALID_VALUE: a value cannot be stored (not UTF-8, or a delimiter field)
 * @NHIP_HL7_ERROR_ACK: an acknowledgment is malformed (no MSA, unknown code)
 * @NHIP_HL7_ERROR_REJECTED: the receiver answered AE/AR (or CE/CR)
 * @NHIP_HL7_ERROR_FRAME: an MLLP frame is larger than the limit
 * @NHIP_HL7_ERROR_TIMED_OUT: connecting or waiting for the ACK took too long
 * @NHIP_HL7_ERROR_CONNECTION: the connection failed or was closed by the peer
 * @NHIP_HL7_ERROR_PROTOCOL: the peer answered something that is not the expected ACK
 * @NHIP_HL7_ERROR_TLS: the TLS handshake failed (certificate, configuration)
 *
 * Errors of the HL7 layer. %NHIP_HL7_ERROR_TIMED_OUT, %NHIP_HL7_ERROR_CONNECTION and
 * %NHIP_HL7_ERROR_PROTOCOL are worth retrying later; the others need a change of the
 * message or of the configuration.
 */
typedef enum {
	NHIP_HL7_ERROR_FAILED,
	NHIP_HL7_ERROR_NO_HEADER,
	NHIP_HL7_ERROR_DELIMITERS,
	NHIP_HL7_ERROR_TRUNCATED,
	NHIP_HL7_ERROR_SEGMENT,
	NHIP_HL7_ERROR_ENCODING,
	NHIP_HL7_ERROR_ESCAPE,
	NHIP_HL7_ERROR_LIMIT,
	NHIP_HL7_ERROR_PATH,
	NHIP_HL7_ERROR_NOT_FOUND,
	NHIP_HL7_ERROR_INVALID_VALUE,
	NHIP_HL7_ERROR_ACK,
	NHIP_HL7_ERROR_REJECTED,
	NHIP_HL7_ERROR_FRAME,
	NHIP_HL7_ERROR_TIMED_OUT,
	NHIP_HL7_ERROR_CONNECTION,
	NHIP_HL7_ERROR_PROTOCOL,
	NHIP_HL7_ERROR_TLS,
} NhipHl7Error;

GQuark nhip_hl7_error_quark(void);

G_END_DECLS
