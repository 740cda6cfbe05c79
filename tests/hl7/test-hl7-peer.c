/*
 * Nhịp — our HL7 v2 and MLLP code against an independent peer: Debian's python3-hl7.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "nhip-hl7.h"

static const gchar *python3 = NULL;
static gchar *tmp_dir = NULL;

/* a message we build while writing down what python-hl7 must read back */
typedef struct {
	NhipHl7Message *message;
	GString *expectations;
} PeerCase;

static void
peer_case_init(PeerCase *pc, NhipHl7Message *message)
{
	pc->message = message;
	pc->expectations = g_string_new(NULL);
}

static void
peer_case_clear(PeerCase *pc)
{
	g_clear_object(&pc->message);
	g_string_free(pc->expectations, TRUE);
}

static void
peer_case_expect(PeerCase *pc,
		 const gchar *segment,
		 guint occurrence,
		 guint field,
		 guint repetition,
		 guint component,
		 guint subcomponent,
		 const gchar *value)
{
	g_string_append_printf(pc->expectations, "%s\t%u\t%u\t%u\t%u\t%u\t", segment, occurrence,
			       field, repetition, component, subcomponent);
	for (const gchar *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append(pc->expectations, "\\\\");
		else if (*p == '\n')
			g_string_append(pc->expectations, "\\n");
		else if (*p == '\t')
			g_string_append(pc->expectations, "\\t");
		else
			g_string_append_c(pc->expectations, *p);
	}
	g_string_append_c(pc->expectations, '\n');
}

/* sets a value in our message and expects python-hl7 to read the same */
static void
peer_case_set(PeerCase *pc,
	      const gchar *segment,
	      guint occurrence,
	      guint field,
	      guint repetition,
	      guint component,
	      guint subcomponent,
	      const gchar *value)
{
	NhipHl7Path path = { { 0 }, occurrence, field, repetition, component, subcomponent };
	g_autoptr(GError) error = NULL;

	g_strlcpy(path.segment, segment, sizeof(path.segment));
	g_assert_true(nhip_hl7_message_set_value_at(pc->message, &path, value, &error));
	g_assert_no_error(error);
	peer_case_expect(pc, segment, occurrence, field, MAX(repetition, 1), MAX(component, 1),
			 MAX(subcomponent, 1), value);
}

/* runs python-hl7 on the message; returns its exit status and output */
static gboolean
peer_case_run(PeerCase *pc, gchar **output)
{
	g_autofree gchar *message_file = g_build_filename(tmp_dir, "message.hl7", NULL);
	g_autofree gchar *expect_file = g_build_filename(tmp_dir, "expect.tsv", NULL);
	g_autofree gchar *script = g_test_build_filename(G_TEST_DIST, "hl7", "peer-parse.py", NULL);
	g_autoptr(GBytes) encoded = nhip_hl7_message_to_bytes(pc->message);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(message_file, g_bytes_get_data(encoded, NULL),
					  (gssize)g_bytes_get_size(encoded), &error));
	g_assert_true(g_file_set_contents(expect_file, pc->expectations->str,
					  (gssize)pc->expectations->len, &error));
	g_assert_no_error(error);
	process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
				   &error, python3, script, message_file, expect_file, NULL);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(process, NULL, NULL, output, NULL, &error));
	g_assert_no_error(error);
	g_test_message("python-hl7: %s", *output);
	g_unlink(message_file);
	g_unlink(expect_file);
	return g_subprocess_get_if_exited(process) && g_subprocess_get_exit_status(process) == 0;
}

static NhipHl7Message *
new_message(const gchar *code, const gchar *trigger, const gchar *structure, const gchar *id)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(nhip_hl7_message_set_header(message, code, trigger, structure, id, &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-3", "NHIP", &error));
	g_assert_true(nhip_hl7_message_set_raw(message, "MSH-4", "TYT_TANHOA^79001^L", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-5", "HIS", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-6", "BV_HUYEN", &error));
	g_assert_no_error(error);
	return g_steal_pointer(&message);
}

static void
add_segment(PeerCase *pc, const gchar *id)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpuint(nhip_hl7_message_append_segment(pc->message, id, &error), >, 0);
	g_assert_no_error(error);
}

static void
test_python_parse_oru(void)
{
	PeerCase pc;
	g_autofree gchar *output = NULL;
	static const struct {
		const gchar *loinc, *name, *value, *unit, *range, *flag;
	} vitals[] = {
		{ "8480-6", "Systolic blood pressure", "142", "mm[Hg]", "90-139", "H" },
		{ "8462-4", "Diastolic blood pressure", "91", "mm[Hg]", "60-89", "H" },
		{ "8867-4", "Heart rate", "78", "/min", "60-100", "N" },
		{ "59408-5", "Oxygen saturation", "97", "%", "94-100", "N" },
		{ "8310-5", "Body temperature", "37.2", "Cel", "36.0-37.5", "N" },
		{ "29463-7", "Body weight", "52.4", "kg", "", "" },
		{ "8302-2", "Body height", "156", "cm", "", "" },
		{ "9279-1", "Respiratory rate", "18", "/min", "12-20", "N" },
	};

	peer_case_init(&pc, new_message("ORU", "R01", "ORU_R01", "ORU0001"));
	peer_case_expect(&pc, "MSH", 1, 9, 1, 1, 1, "ORU");
	peer_case_expect(&pc, "MSH", 1, 9, 1, 2, 1, "R01");
	peer_case_expect(&pc, "MSH", 1, 10, 1, 1, 1, "ORU0001");
	peer_case_expect(&pc, "MSH", 1, 4, 1, 2, 1, "79001");
	peer_case_expect(&pc, "MSH", 1, 12, 1, 1, 1, "2.5.1");
	peer_case_expect(&pc, "MSH", 1, 18, 1, 1, 1, "UNICODE UTF-8");

	add_segment(&pc, "PID");
	peer_case_set(&pc, "PID", 1, 1, 0, 0, 0, "1");
	peer_case_set(&pc, "PID", 1, 3, 1, 1, 0, "079123456789");
	peer_case_set(&pc, "PID", 1, 3, 1, 4, 0, "BYT");
	peer_case_set(&pc, "PID", 1, 3, 1, 5, 0, "NI");
	peer_case_set(&pc, "PID", 1, 3, 2, 1, 0, "GD4797912345678");
	peer_case_set(&pc, "PID", 1, 3, 2, 5, 0, "HC");
	peer_case_set(&pc, "PID", 1, 5, 1, 1, 0, "NGUYỄN");
	peer_case_set(&pc, "PID", 1, 5, 1, 2, 0, "THỊ ĐÀO");
	peer_case_set(&pc, "PID", 1, 7, 0, 0, 0, "19800101");
	peer_case_set(&pc, "PID", 1, 8, 0, 0, 0, "F");
	peer_case_set(&pc, "PID", 1, 11, 1, 1, 0, "12 Ấp 3");
	peer_case_set(&pc, "PID", 1, 11, 1, 3, 0, "Xã Tân Hòa");
	peer_case_set(&pc, "PID", 1, 11, 1, 4, 0, "Tỉnh Đồng Tháp");
	peer_case_set(&pc, "PID", 1, 22, 1, 1, 0, "01");
	peer_case_set(&pc, "PID", 1, 22, 1, 2, 0, "Kinh");

	add_segment(&pc, "PV1");
	peer_case_set(&pc, "PV1", 1, 2, 0, 0, 0, "O");
	peer_case_set(&pc, "PV1", 1, 19, 0, 0, 0, "V2024-0131-007");

	add_segment(&pc, "OBR");
	peer_case_set(&pc, "OBR", 1, 1, 0, 0, 0, "1");
	peer_case_set(&pc, "OBR", 1, 4, 1, 1, 0, "85353-1");
	peer_case_set(&pc, "OBR", 1, 4, 1, 2, 0,
		      "Vital signs, weight, height, head circumference, "
		      "oxygen saturation & BMI panel");
	peer_case_set(&pc, "OBR", 1, 4, 1, 3, 0, "LN");
	peer_case_set(&pc, "OBR", 1, 7, 0, 0, 0, "20240131142500+0700");

	for (guint i = 0; i < G_N_ELEMENTS(vitals); i++) {
		g_autofree gchar *set_id = g_strdup_printf("%u", i + 1);
		guint n = i + 1;
		add_segment(&pc, "OBX");
		peer_case_set(&pc, "OBX", n, 1, 0, 0, 0, set_id);
		peer_case_set(&pc, "OBX", n, 2, 0, 0, 0, "NM");
		peer_case_set(&pc, "OBX", n, 3, 1, 1, 0, vitals[i].loinc);
		peer_case_set(&pc, "OBX", n, 3, 1, 2, 0, vitals[i].name);
		peer_case_set(&pc, "OBX", n, 3, 1, 3, 0, "LN");
		peer_case_set(&pc, "OBX", n, 5, 0, 0, 0, vitals[i].value);
		peer_case_set(&pc, "OBX", n, 6, 1, 1, 0, vitals[i].unit);
		peer_case_set(&pc, "OBX", n, 6, 1, 3, 0, "UCUM");
		peer_case_set(&pc, "OBX", n, 7, 0, 0, 0, vitals[i].range);
		peer_case_set(&pc, "OBX", n, 8, 0, 0, 0, vitals[i].flag);
		peer_case_set(&pc, "OBX", n, 11, 0, 0, 0, "F");
		peer_case_set(&pc, "OBX", n, 14, 0, 0, 0, "20240131142700+0700");
		peer_case_set(&pc, "OBX", n, 18, 1, 1, 0, "OMRON-HEM7121-SN4411");
		peer_case_set(&pc, "OBX", n, 18, 1, 4, 1, "NHIP");
		peer_case_set(&pc, "OBX", n, 18, 1, 4, 2, "1.2.704.1");
	}

	/* every delimiter and a line break inside values */
	add_segment(&pc, "NTE");
	peer_case_set(&pc, "NTE", 1, 1, 0, 0, 0, "1");
	peer_case_set(&pc, "NTE", 1, 3, 1, 1, 0,
		      "Huyết áp cao | đo lại sau 5 phút ^ nghỉ & uống nước ~ tái khám\n"
		      "Ghi chú: C:\\kết quả\\ngày 31");
	peer_case_set(&pc, "NTE", 1, 3, 2, 1, 0, "dòng thứ hai");

	g_assert_true(peer_case_run(&pc, &output));
	g_assert_nonnull(strstr(output, " 0 failures"));
	peer_case_clear(&pc);
}

static void
test_python_parse_adt(void)
{
	PeerCase pc;
	g_autofree gchar *output = NULL;

	peer_case_init(&pc, new_message("ADT", "A04", "ADT_A01", "ADT0001"));
	add_segment(&pc, "EVN");
	peer_case_set(&pc, "EVN", 1, 2, 0, 0, 0, "20240131140000+0700");
	add_segment(&pc, "PID");
	peer_case_set(&pc, "PID", 1, 3, 1, 1, 0, "001199012345");
	peer_case_set(&pc, "PID", 1, 3, 1, 5, 0, "NI");
	peer_case_set(&pc, "PID", 1, 3, 2, 1, 0, "DN4010123456789");
	peer_case_set(&pc, "PID", 1, 3, 2, 5, 0, "HC");
	peer_case_set(&pc, "PID", 1, 5, 1, 1, 0, "LÒ");
	peer_case_set(&pc, "PID", 1, 5, 1, 2, 0, "THỊ MỶ");
	peer_case_set(&pc, "PID", 1, 8, 0, 0, 0, "F");
	peer_case_set(&pc, "PID", 1, 11, 1, 3, 0, "Xã Mường Phăng");
	peer_case_set(&pc, "PID", 1, 11, 1, 4, 0, "Tỉnh Điện Biên");
	peer_case_set(&pc, "PID", 1, 13, 1, 1, 0, "0912345678");
	peer_case_set(&pc, "PID", 1, 22, 1, 2, 0, "Thái");
	/* the HL7 null value */
	peer_case_set(&pc, "PID", 1, 29, 0, 0, 0, NHIP_HL7_NULL);
	add_segment(&pc, "PV1");
	peer_case_set(&pc, "PV1", 1, 2, 0, 0, 0, "O");
	add_segment(&pc, "ZNH");
	peer_case_set(&pc, "ZNH", 1, 1, 0, 0, 0, "custom segment");

	g_assert_true(peer_case_run(&pc, &output));
	g_assert_nonnull(strstr(output, " 0 failures"));
	peer_case_clear(&pc);
}

static void
test_python_parse_custom_delimiters(void)
{
	PeerCase pc;
	g_autofree gchar *output = NULL;
	g_autoptr(GError) error = NULL;
	NhipHl7Message *message = nhip_hl7_message_new_with_delimiters("#*@!$", &error);

	g_assert_no_error(error);
	peer_case_init(&pc, message);
	g_assert_true(
		nhip_hl7_message_set_header(message, "ORU", "R01", "ORU_R01", "CUST1", &error));
	peer_case_expect(&pc, "MSH", 1, 9, 1, 2, 1, "R01");
	add_segment(&pc, "PID");
	peer_case_set(&pc, "PID", 1, 5, 1, 1, 0, "ĐẶNG");
	peer_case_set(&pc, "PID", 1, 5, 1, 2, 0, "a|b^c&d~e\\f");
	peer_case_set(&pc, "PID", 1, 5, 1, 3, 0, "x#y*z@w!v$u");
	peer_case_set(&pc, "PID", 1, 11, 1, 4, 2, "sub two");
	peer_case_set(&pc, "PID", 1, 11, 2, 3, 0, "rep two");

	g_assert_true(peer_case_run(&pc, &output));
	g_assert_nonnull(strstr(output, " 0 failures"));
	peer_case_clear(&pc);
}

static void
test_python_parse_ack(void)
{
	PeerCase pc;
	g_autofree gchar *output = NULL;
	g_autoptr(NhipHl7Message) original = new_message("ORU", "R01", "ORU_R01", "ORIG7");
	g_autoptr(GError) error = NULL;
	NhipHl7Message *ack =
		nhip_hl7_ack_build(original, NHIP_HL7_ACK_CODE_AE, 0,
				   "Không tìm thấy bệnh nhân | kiểm tra PID-3", &error);

	g_assert_no_error(error);
	peer_case_init(&pc, ack);
	peer_case_expect(&pc, "MSH", 1, 3, 1, 1, 1, "HIS");
	peer_case_expect(&pc, "MSH", 1, 5, 1, 1, 1, "NHIP");
	peer_case_expect(&pc, "MSH", 1, 9, 1, 1, 1, "ACK");
	peer_case_expect(&pc, "MSA", 1, 1, 1, 1, 1, "AE");
	peer_case_expect(&pc, "MSA", 1, 2, 1, 1, 1, "ORIG7");
	peer_case_expect(&pc, "ERR", 1, 3, 1, 1, 1, "207");
	peer_case_expect(&pc, "ERR", 1, 8, 1, 1, 1, "Không tìm thấy bệnh nhân | kiểm tra PID-3");

	g_assert_true(peer_case_run(&pc, &output));
	g_assert_nonnull(strstr(output, " 0 failures"));
	peer_case_clear(&pc);
}

/* the checker must fail when values differ, or the tests above prove nothing */
static void
test_python_parse_detects_mismatch(void)
{
	PeerCase pc;
	g_autofree gchar *output = NULL;

	peer_case_init(&pc, new_message("ADT", "A08", "ADT_A01", "MISMATCH"));
	add_segment(&pc, "PID");
	peer_case_set(&pc, "PID", 1, 5, 1, 1, 0, "NGUYỄN");
	peer_case_expect(&pc, "PID", 1, 5, 1, 1, 1, "NGUYEN");
	g_assert_false(peer_case_run(&pc, &output));
	g_assert_nonnull(strstr(output, "1 failures"));
	peer_case_clear(&pc);
}

/* mllp_send → our listener */

typedef struct {
	GPtrArray *names;
	GPtrArray *control_ids;
} ListenerLog;

static NhipHl7Message *
log_handler(NhipMllpListener *listener, NhipHl7Message *message, gpointer user_data, GError **error)
{
	ListenerLog *log = user_data;
	g_ptr_array_add(log->names, nhip_hl7_message_get_value(message, "PID-5-1", NULL));
	g_ptr_array_add(log->control_ids, nhip_hl7_message_get_value(message, "MSH-10", NULL));
	return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, error);
}

typedef struct {
	gchar *stdout_text;
	GError *error;
	gboolean done;
} CommunicateResult;

static void
communicate_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	CommunicateResult *result = user_data;
	g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res, &result->stdout_text, NULL,
					     &result->error);
	result->done = TRUE;
}

static void
test_mllp_send_to_listener(void)
{
	g_autoptr(NhipMllpListener) listener = nhip_mllp_listener_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) stream = g_string_new(NULL);
	g_autoptr(GSubprocess) process = NULL;
	g_autofree gchar *file = g_build_filename(tmp_dir, "batch.mllp", NULL);
	g_autofree gchar *port = NULL;
	const gchar *names[] = { "NGUYỄN", "TRẦN", "LÊ" };
	ListenerLog log = { g_ptr_array_new_with_free_func(g_free),
			    g_ptr_array_new_with_free_func(g_free) };
	CommunicateResult result = { 0 };

	if (!g_file_test("/usr/bin/mllp_send", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("/usr/bin/mllp_send (python3-hl7) is not installed");
		return;
	}
	nhip_mllp_listener_set_handler(listener, log_handler, &log, NULL);
	g_assert_true(nhip_mllp_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);

	/* mllp_send reads framed messages from a file */
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *control_id = g_strdup_printf("PEER%u", i);
		g_autoptr(NhipHl7Message) message =
			new_message("ADT", "A04", "ADT_A01", control_id);
		g_autofree gchar *text = NULL;
		g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PID", &error), ==, 1);
		g_assert_true(nhip_hl7_message_set_value(message, "PID-5-1", names[i], &error));
		text = nhip_hl7_message_to_string(message);
		g_string_append_printf(stream, "\x0b%s\x1c\r", text);
	}
	/* a message we cannot read: an unterminated escape */
	g_string_append(stream, "\x0bMSH|^~\\&|X||Y||20240101||ADT^A04|PEERBAD|P|2.5.1\r"
				"PID|1||\\F\r\x1c\r");
	g_assert_true(g_file_set_contents(file, stream->str, (gssize)stream->len, &error));

	port = g_strdup_printf("%u", (guint)nhip_mllp_listener_get_port(listener));
	process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
				   &error, "/usr/bin/mllp_send", "-p", port, "-f", file,
				   "127.0.0.1", NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(process, NULL, NULL, communicate_cb, &result);
	while (!result.done)
		g_main_context_iteration(NULL, TRUE);
	g_assert_no_error(result.error);
	g_test_message("mllp_send: %s", result.stdout_text);
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 0);

	g_assert_cmpuint(log.names->len, ==, 3);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *control_id = g_strdup_printf("PEER%u", i);
		g_autofree gchar *msa = g_strdup_printf("MSA|AA|%s", control_id);
		g_assert_cmpstr(g_ptr_array_index(log.names, i), ==, names[i]);
		g_assert_cmpstr(g_ptr_array_index(log.control_ids, i), ==, control_id);
		g_assert_nonnull(strstr(result.stdout_text, msa));
	}
	g_assert_nonnull(strstr(result.stdout_text, "MSA|AE|PEERBAD"));
	g_assert_cmpuint(nhip_mllp_listener_get_n_messages(listener), ==, 4);

	g_free(result.stdout_text);
	g_ptr_array_unref(log.names);
	g_ptr_array_unref(log.control_ids);
	g_unlink(file);
	nhip_mllp_listener_stop(listener);
	g_clear_object(&listener);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

/* our client → an hl7.mllp asyncio server */

typedef struct {
	NhipHl7Ack *ack;
	GError *error;
	gboolean done;
} SendResult;

static void
send_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	SendResult *result = user_data;
	result->ack = nhip_mllp_client_send_finish(NHIP_MLLP_CLIENT(source), res, &result->error);
	result->done = TRUE;
}

static void
test_client_to_python_server(void)
{
	g_autofree gchar *script =
		g_test_build_filename(G_TEST_DIST, "hl7", "peer-mllp-server.py", NULL);
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GDataInputStream) out = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *first = NULL;
	g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func(g_free);
	guint64 port = 0;
	struct {
		const gchar *control_id, *family, *given, *value;
		NhipHl7AckCode code;
	} cases[] = {
		{ "PY1", "NGUYỄN", "THỊ ĐÀO", "72", NHIP_HL7_ACK_CODE_AA },
		{ "PY2", "HOÀNG", "VĂN ƯỚC", "37.8", NHIP_HL7_ACK_CODE_AA },
		{ "PYREJECT3", "VŨ", "Ý", "a|b^c", NHIP_HL7_ACK_CODE_AE },
	};

	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
					     G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_setenv(launcher, "PYTHONIOENCODING", "utf-8", TRUE);
	process = g_subprocess_launcher_spawn(launcher, &error, python3, script, NULL);
	g_assert_no_error(error);
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	first = g_data_input_stream_read_line_utf8(out, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(first);
	g_assert_true(g_str_has_prefix(first, "PORT "));
	port = g_ascii_strtoull(first + 5, NULL, 10);
	g_assert_cmpuint(port, >, 0);

	client = nhip_mllp_client_new("127.0.0.1", (guint16)port);
	nhip_mllp_client_set_timeouts(client, 5000, 10000);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(NhipHl7Message) message =
			new_message("ORU", "R01", "ORU_R01", cases[i].control_id);
		SendResult result = { 0 };
		g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PID", &error), ==, 1);
		g_assert_true(
			nhip_hl7_message_set_value(message, "PID-5-1", cases[i].family, &error));
		g_assert_true(
			nhip_hl7_message_set_value(message, "PID-5-2", cases[i].given, &error));
		g_assert_cmpuint(nhip_hl7_message_append_segment(message, "OBX", &error), ==, 1);
		g_assert_true(nhip_hl7_message_set_value(message, "OBX-5", cases[i].value, &error));
		g_assert_no_error(error);
		nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
		while (!result.done)
			g_main_context_iteration(NULL, TRUE);
		g_assert_no_error(result.error);
		g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, cases[i].code);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(result.ack), ==, cases[i].control_id);
		nhip_hl7_ack_unref(result.ack);
	}
	/* one connection served the three messages */
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 1);
	g_clear_object(&client);

	/* closing stdin stops the server; then read what it received */
	g_assert_true(g_output_stream_close(g_subprocess_get_stdin_pipe(process), NULL, &error));
	for (;;) {
		gchar *line = g_data_input_stream_read_line_utf8(out, NULL, NULL, &error);
		g_assert_no_error(error);
		if (line == NULL)
			break;
		g_ptr_array_add(received, line);
	}
	g_assert_true(g_subprocess_wait_check(process, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(received->len, ==, G_N_ELEMENTS(cases));
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *expected =
			g_strdup_printf("RECV\t%s\t%s\t%s\t%s", cases[i].control_id,
					cases[i].family, cases[i].given, cases[i].value);
		g_assert_cmpstr(g_ptr_array_index(received, i), ==, expected);
	}
}

static gboolean
python_hl7_available(void)
{
	g_autoptr(GSubprocess) process = NULL;

	if (!g_file_test(python3, G_FILE_TEST_IS_EXECUTABLE))
		return FALSE;
	process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					   G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				   NULL, python3, "-c", "import hl7, hl7.mllp", NULL);
	return process != NULL && g_subprocess_wait_check(process, NULL, NULL);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int status;

	g_test_init(&argc, &argv, NULL);

	python3 = g_getenv("NHIP_PYTHON3");
	if (python3 == NULL)
		python3 = "/usr/bin/python3";
	if (!python_hl7_available()) {
		g_printerr("%s with python3-hl7 is not available; skipping\n", python3);
		return 77;
	}
	tmp_dir = g_dir_make_tmp("nhip-hl7-peer-XXXXXX", &error);
	g_assert_no_error(error);

	g_test_add_func("/hl7/peer/python-parse/oru", test_python_parse_oru);
	g_test_add_func("/hl7/peer/python-parse/adt", test_python_parse_adt);
	g_test_add_func("/hl7/peer/python-parse/custom-delimiters",
			test_python_parse_custom_delimiters);
	g_test_add_func("/hl7/peer/python-parse/ack", test_python_parse_ack);
	g_test_add_func("/hl7/peer/python-parse/detects-mismatch",
			test_python_parse_detects_mismatch);
	g_test_add_func("/hl7/peer/mllp-send-to-listener", test_mllp_send_to_listener);
	g_test_add_func("/hl7/peer/client-to-python-server", test_client_to_python_server);
	status = g_test_run();
	g_rmdir(tmp_dir);
	g_free(tmp_dir);
	return status;
}
