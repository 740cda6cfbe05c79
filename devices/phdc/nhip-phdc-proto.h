/*
 * Nhịp — IEEE 11073-20601 (PHDC) APDU codec and manager state machine (no I/O).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-output.h"

G_BEGIN_DECLS

#define NHIP_PHDC_DRIVER	"phdc"
#define NHIP_PHDC_USB_CLASS	0x0F
#define NHIP_PHDC_APDU_MAX	64512 /* 63 KiB */
#define NHIP_PHDC_APDU_HEADER	4
#define NHIP_PHDC_DATA_PROTO_ID 20601

/* APDU choices */
#define NHIP_PHDC_APDU_AARQ 0xE200
#define NHIP_PHDC_APDU_AARE 0xE300
#define NHIP_PHDC_APDU_RLRQ 0xE400
#define NHIP_PHDC_APDU_RLRE 0xE500
#define NHIP_PHDC_APDU_ABRT 0xE600
#define NHIP_PHDC_APDU_PRST 0xE700

/* DataApdu message choices */
#define NHIP_PHDC_ROIV_EVENT_REPORT	      0x0100
#define NHIP_PHDC_ROIV_CONFIRMED_EVENT_REPORT 0x0101
#define NHIP_PHDC_ROIV_GET		      0x0103
#define NHIP_PHDC_ROIV_CONFIRMED_SET	      0x0105
#define NHIP_PHDC_ROIV_CONFIRMED_ACTION	      0x0107
#define NHIP_PHDC_RORS_CONFIRMED_EVENT_REPORT 0x0201
#define NHIP_PHDC_RORS_GET		      0x0203
#define NHIP_PHDC_RORS_CONFIRMED_SET	      0x0205
#define NHIP_PHDC_RORS_CONFIRMED_ACTION	      0x0207
#define NHIP_PHDC_ROER			      0x0300
#define NHIP_PHDC_RORJ			      0x0400

/* association results */
#define NHIP_PHDC_ASSOC_ACCEPTED		     0
#define NHIP_PHDC_ASSOC_REJECTED_PERMANENT	     1
#define NHIP_PHDC_ASSOC_REJECTED_TRANSIENT	     2
#define NHIP_PHDC_ASSOC_ACCEPTED_UNKNOWN_CONFIG	     3
#define NHIP_PHDC_ASSOC_REJECTED_NO_COMMON_PROTOCOL  4
#define NHIP_PHDC_ASSOC_REJECTED_NO_COMMON_PARAMETER 5

/* configuration results */
#define NHIP_PHDC_CONFIG_ACCEPTED    0
#define NHIP_PHDC_CONFIG_UNSUPPORTED 1

/* event types */
#define NHIP_PHDC_NOTI_CONFIG		    0x0D1C
#define NHIP_PHDC_NOTI_SCAN_REPORT_FIXED    0x0D1D
#define NHIP_PHDC_NOTI_SCAN_REPORT_VAR	    0x0D1E
#define NHIP_PHDC_NOTI_SCAN_REPORT_MP_FIXED 0x0D1F
#define NHIP_PHDC_NOTI_SCAN_REPORT_MP_VAR   0x0D20
#define NHIP_PHDC_NOTI_SEGMENT_DATA	    0x0D21
#define NHIP_PHDC_NOTI_UNBUF_VAR	    0x0D22
#define NHIP_PHDC_NOTI_UNBUF_FIXED	    0x0D23
#define NHIP_PHDC_NOTI_UNBUF_MP_VAR	    0x0D25
#define NHIP_PHDC_NOTI_UNBUF_MP_FIXED	    0x0D26
#define NHIP_PHDC_NOTI_BUF_VAR		    0x0D28
#define NHIP_PHDC_NOTI_BUF_FIXED	    0x0D29
#define NHIP_PHDC_NOTI_BUF_MP_VAR	    0x0D2B
#define NHIP_PHDC_NOTI_BUF_MP_FIXED	    0x0D2C

/* actions */
#define NHIP_PHDC_ACT_SEG_GET_INFO  0x0C0D
#define NHIP_PHDC_ACT_SEG_TRIG_XFER 0x0C1C

/* object classes */
#define NHIP_PHDC_MOC_METRIC_NU	 6
#define NHIP_PHDC_MOC_PM_STORE	 61
#define NHIP_PHDC_MOC_SCAN_FIRST 16
#define NHIP_PHDC_MOC_SCAN_LAST	 19

/* attributes */
#define NHIP_PHDC_ATTR_ID_MODEL			0x0928
#define NHIP_PHDC_ATTR_ID_PROD_SPECN		0x092D
#define NHIP_PHDC_ATTR_ID_TYPE			0x092F
#define NHIP_PHDC_ATTR_MSMT_STAT		0x0947
#define NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS		0x094B
#define NHIP_PHDC_ATTR_NU_VAL_OBS		0x0950
#define NHIP_PHDC_ATTR_SEG_USAGE_CNT		0x097B
#define NHIP_PHDC_ATTR_SYS_ID			0x0984
#define NHIP_PHDC_ATTR_TIME_ABS			0x0987
#define NHIP_PHDC_ATTR_TIME_STAMP_ABS		0x0990
#define NHIP_PHDC_ATTR_UNIT_CODE		0x0996
#define NHIP_PHDC_ATTR_DEV_CONFIG_ID		0x0A44
#define NHIP_PHDC_ATTR_METRIC_SPEC_SMALL	0x0A46
#define NHIP_PHDC_ATTR_NU_VAL_OBS_BASIC		0x0A4C
#define NHIP_PHDC_ATTR_PM_SEG_MAP		0x0A4E
#define NHIP_PHDC_ATTR_SCAN_HANDLE_ATTR_VAL_MAP 0x0A53
#define NHIP_PHDC_ATTR_ATTRIBUTE_VAL_MAP	0x0A55
#define NHIP_PHDC_ATTR_NU_VAL_OBS_SIMP		0x0A56
#define NHIP_PHDC_ATTR_METRIC_STRUCT_SMALL	0x0A73
#define NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_SIMP	0x0A74
#define NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_BASIC	0x0A75
#define NHIP_PHDC_ATTR_METRIC_ID_LIST		0x0A76

/* nomenclature (partition 2, SCADA) */
#define NHIP_PHDC_PRESS_BLD_NONINV	    0x4A04
#define NHIP_PHDC_PRESS_BLD_NONINV_SYS	    0x4A05
#define NHIP_PHDC_PRESS_BLD_NONINV_DIA	    0x4A06
#define NHIP_PHDC_PRESS_BLD_NONINV_MEAN	    0x4A07
#define NHIP_PHDC_PULS_RATE_NON_INV	    0x482A
#define NHIP_PHDC_PULS_OXIM_PULS_RATE	    0x481A
#define NHIP_PHDC_PULS_OXIM_SAT_O2	    0x4BB8
#define NHIP_PHDC_TEMP_BODY		    0x4B5C
#define NHIP_PHDC_MASS_BODY_ACTUAL	    0xE140
#define NHIP_PHDC_LEN_BODY_ACTUAL	    0xE144
#define NHIP_PHDC_CONC_GLU_CAPILLARY_WB	    0x71B8
#define NHIP_PHDC_CONC_GLU_CAPILLARY_PLASMA 0x71BC
#define NHIP_PHDC_CONC_GLU_CONTROL	    0x71D0

/* units */
#define NHIP_PHDC_DIM_PERCENT	       0x0220
#define NHIP_PHDC_DIM_KILO_G	       0x06C3
#define NHIP_PHDC_DIM_LB	       0x06E0
#define NHIP_PHDC_DIM_CENTI_M	       0x0511
#define NHIP_PHDC_DIM_INCH	       0x0560
#define NHIP_PHDC_DIM_MILLI_G_PER_DL   0x0852
#define NHIP_PHDC_DIM_BEAT_PER_MIN     0x0AA0
#define NHIP_PHDC_DIM_KILO_PASCAL      0x0F03
#define NHIP_PHDC_DIM_MMHG	       0x0F20
#define NHIP_PHDC_DIM_FAHR	       0x1140
#define NHIP_PHDC_DIM_MILLI_MOLE_PER_L 0x1272
#define NHIP_PHDC_DIM_DEGC	       0x17A0

/* standard configurations */
#define NHIP_PHDC_CONFIG_PULSE_OXIMETER 0x0190
#define NHIP_PHDC_CONFIG_BLOOD_PRESSURE 0x02BC
#define NHIP_PHDC_CONFIG_THERMOMETER	0x0320
#define NHIP_PHDC_CONFIG_SCALE		0x05DC
#define NHIP_PHDC_CONFIG_GLUCOSE	0x06A4
#define NHIP_PHDC_CONFIG_EXTENDED_FIRST 0x4000

/**
 * NhipPhdcNumberStatus:
 * @NHIP_PHDC_NUMBER_VALUE: an ordinary number
 * @NHIP_PHDC_NUMBER_NAN: not a number (no valid value)
 * @NHIP_PHDC_NUMBER_NRES: not at this resolution
 * @NHIP_PHDC_NUMBER_POS_INF: positive infinity
 * @NHIP_PHDC_NUMBER_NEG_INF: negative infinity
 * @NHIP_PHDC_NUMBER_RESERVED: the reserved special value
 */
typedef enum {
	NHIP_PHDC_NUMBER_VALUE,
	NHIP_PHDC_NUMBER_NAN,
	NHIP_PHDC_NUMBER_NRES,
	NHIP_PHDC_NUMBER_POS_INF,
	NHIP_PHDC_NUMBER_NEG_INF,
	NHIP_PHDC_NUMBER_RESERVED,
} NhipPhdcNumberStatus;

/**
 * NhipPhdcState:
 * @NHIP_PHDC_STATE_UNASSOCIATED: no association
 * @NHIP_PHDC_STATE_WAITING_CONFIG: associated; waiting for the agent's configuration
 * @NHIP_PHDC_STATE_OPERATING: associated and configured; reports are decoded
 * @NHIP_PHDC_STATE_DISASSOCIATING: we asked to release and wait for the answer
 */
typedef enum {
	NHIP_PHDC_STATE_UNASSOCIATED,
	NHIP_PHDC_STATE_WAITING_CONFIG,
	NHIP_PHDC_STATE_OPERATING,
	NHIP_PHDC_STATE_DISASSOCIATING,
} NhipPhdcState;

/**
 * NhipPhdcAssociation:
 * @assoc_version: association version (0x80000000)
 * @protocol_version: 20601 protocol version bits
 * @encoding_rules: encoding rule bits (0x8000 = MDER)
 * @nomenclature_version: nomenclature version
 * @functional_units: functional unit bits
 * @system_type: 0x00800000 for agents
 * @system_id: the EUI-64 system id
 * @system_id_len: its length (8 for EUI-64)
 * @dev_config_id: configuration id (standard ids below 0x4000)
 * @data_req_mode_flags: data request modes
 * @data_req_init_agent_count: agent-initiated request count
 * @data_req_init_manager_count: manager-initiated request count
 *
 * The fields of an AARQ's PhdAssociationInformation.
 */
typedef struct {
	guint32 assoc_version;
	guint32 protocol_version;
	guint16 encoding_rules;
	guint32 nomenclature_version;
	guint32 functional_units;
	guint32 system_type;
	guint8 system_id[32];
	gsize system_id_len;
	guint16 dev_config_id;
	guint16 data_req_mode_flags;
	guint8 data_req_init_agent_count;
	guint8 data_req_init_manager_count;
} NhipPhdcAssociation;

NhipPhdcNumberStatus nhip_phdc_sfloat_to_double(guint16 raw, gdouble *value);
NhipPhdcNumberStatus nhip_phdc_float_to_double(guint32 raw, gdouble *value);
gboolean nhip_phdc_abs_time_parse(const guint8 bcd[8],
				  gint *year,
				  gint *month,
				  gint *day,
				  gint *hour,
				  gint *minute,
				  gdouble *seconds,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_phdc_parse_aarq(const guint8 *apdu,
			      gsize len,
			      NhipPhdcAssociation *assoc,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_phdc_is_standard_config(guint16 dev_config_id);

GBytes *nhip_phdc_build_aare(guint16 result, const guint8 system_id[8]);
GBytes *nhip_phdc_build_rlrq(guint16 reason);
GBytes *nhip_phdc_build_rlre(guint16 reason);
GBytes *nhip_phdc_build_abrt(guint16 reason);
GBytes *nhip_phdc_build_event_report_ack(guint16 invoke_id,
					 guint16 obj_handle,
					 guint16 event_type,
					 const guint8 *reply_info,
					 gsize reply_info_len);
GBytes *nhip_phdc_build_config_response(guint16 invoke_id, guint16 report_id, guint16 result);
GBytes *nhip_phdc_build_get_mds(guint16 invoke_id);
GBytes *nhip_phdc_build_action(guint16 invoke_id,
			       guint16 obj_handle,
			       guint16 action_type,
			       const guint8 *info,
			       gsize info_len);
GBytes *nhip_phdc_build_seg_get_info(guint16 invoke_id, guint16 pm_store_handle);
GBytes *nhip_phdc_build_seg_trig_xfer(guint16 invoke_id, guint16 pm_store_handle, guint16 segment);

typedef struct _NhipPhdcManager NhipPhdcManager;

NhipPhdcManager *nhip_phdc_manager_new(void);
void nhip_phdc_manager_free(NhipPhdcManager *self);
NhipPhdcState nhip_phdc_manager_get_state(const NhipPhdcManager *self);
guint16 nhip_phdc_manager_get_dev_config_id(const NhipPhdcManager *self);
guint nhip_phdc_manager_get_n_objects(const NhipPhdcManager *self);
void nhip_phdc_manager_set_fetch_stored(NhipPhdcManager *self, gboolean fetch_stored);
void nhip_phdc_manager_set_system_id(NhipPhdcManager *self, const guint8 system_id[8]);
gboolean nhip_phdc_manager_feed_apdu(NhipPhdcManager *self,
				     const guint8 *apdu,
				     gsize len,
				     gsize offset,
				     NhipDecodeOutput *out,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_phdc_manager_build_release(NhipPhdcManager *self);
void nhip_phdc_manager_feed(NhipPhdcManager *self,
			    const guint8 *buf,
			    gsize bufsz,
			    NhipDecodeOutput *out);
void nhip_phdc_manager_finish(NhipPhdcManager *self, NhipDecodeOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPhdcManager, nhip_phdc_manager_free)

G_END_DECLS
