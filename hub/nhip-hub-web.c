/*
 * Nhịp hub — the doctors' web pages on their own libmicrohttpd listener (server-only
 * TLS, one thread per connection):
 *
 *   GET  /login                  the login form
 *   POST /login                  user, password, csrf → session cookie, 303 to /cases
 *   POST /logout                 csrf → session ended
 *   GET  /cases                  the inbox: open cases, urgent first, then the oldest;
 *                                then the answered ones
 *   GET  /cases/ID               the case: patient, visit, vitals with charts, photos,
 *                                question, notes, station, answers, the answer form
 *   GET  /cases/ID/photos/N      the case's N-th photo from the blob store
 *   POST /cases/ID/answer        advice, referral, urgency, csrf → reply packet, 303
 *   GET  /cases/ID/live          the live consultation page (nhip-hub-web-live.c)
 *   POST /cases/ID/live          start or rejoin the case's call → the doctor's descriptor
 *   GET  /live/SESSION           the descriptor, with fresh credentials
 *   DELETE /live/SESSION         hang up
 *   GET  /live/SESSION/events?after=N&wait=S   the call's events, held up to 60 s
 *   POST /live/SESSION/events    a chat line or a state change
 *   GET  /static/nhip.css        the style sheet (and the live page's script and style)
 *
 * Security. A session is a 256-bit random token in a cookie (HttpOnly, Secure,
 * SameSite=Strict, Path=/); the database keeps only its SHA-256. Every form carries a
 * per-session token (the login form one tied to a short-lived cookie of its own) checked
 * in constant time, and a POST whose Origin is another site is refused. Failed logins lock
 * an account after NHIP_HUB_WEB_LOGIN_TRIES tries, and an address after
 * NHIP_HUB_WEB_ADDRESS_TRIES, for NHIP_HUB_WEB_LOGIN_WINDOW seconds (counted in the hub
 * database, so a restart does not lift a lock). Pages are built with every value escaped
 * (nhip_hub_html_text()), served with a Content-Security-Policy that allows no script (the live
 * page: scripts from the hub only, none inline), and never cached. The live requests take and give
 * JSON; they carry the session's token in an X-CSRF-Token header. URLs and logs carry only case
 * numbers and doctor ids, never patient data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "nhip-ca.h"
#include "nhip-hub-blobs.h"
#include "nhip-hub-case.h"
#include "nhip-hub-html.h"
#include "nhip-hub-http.h"
#include "nhip-hub-password.h"
#include "nhip-hub-live.h"
#include "nhip-hub-service.h"
#include "nhip-hub-web-live.h"
#include "nhip-hub-web.h"
#include "nhip-json.h"

#define WEB_SESSION_COOKIE "nhip_session"
#define WEB_LOGIN_COOKIE   "nhip_login"
#define WEB_MAX_FIELD	   (16 * 1024)
#define WEB_MAX_BODY	   (64 * 1024)
/* answered cases listed under the open ones */
#define WEB_ANSWERED_SHOWN 50

struct _NhipHubWeb {
	gchar *dir;
	NhipHubDb *db;	       /* not owned */
	NhipHubIngest *ingest; /* not owned */
	gchar *key_pem;
	gchar *cert_pem;
	struct MHD_Daemon *daemon;
	GFunc on_reply;
	gpointer on_reply_data;
	NhipHubLive *live; /* not owned */
	gchar *live_csp;
};

typedef struct {
	GHashTable *form; /* field → value */
	GByteArray *json; /* the body of a JSON request (the live requests) */
	struct MHD_PostProcessor *post;
	gsize received;
	gboolean bad_body;
} WebRequest;

/* who is logged in, for one request */
typedef struct {
	NhipHubDoctor *doctor;
	gchar *csrf;
	gchar *token_sha256;
} WebSession;

static void
web_session_clear(WebSession *session)
{
	nhip_hub_doctor_free(session->doctor);
	g_free(session->csrf);
	g_free(session->token_sha256);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(WebSession, web_session_clear)

static void
web_request_free(WebRequest *req)
{
	if (req->post != NULL)
		MHD_destroy_post_processor(req->post);
	if (req->json != NULL)
		g_byte_array_unref(req->json);
	g_hash_table_unref(req->form);
	g_free(req);
}

/* ----- responses ----- */

/* what every page says to the browser: no script, no framing, no sniffing, HTTPS only */
static const gchar web_default_csp[] =
	"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	"frame-ancestors 'none'; base-uri 'none'";
static const gchar *const web_security_headers[] = {
	"X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY",
	/* not no-referrer: with it browsers send "Origin: null" on our own forms */
	"Referrer-Policy", "same-origin", "Strict-Transport-Security", "max-age=31536000", NULL
};

static enum MHD_Result
web_respond_csp(struct MHD_Connection *conn,
		guint status,
		const gchar *content_type,
		gconstpointer body,
		gsize len,
		const gchar *csp,
		const gchar *const *headers)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new();

	g_ptr_array_add(all, (gpointer) "Content-Security-Policy");
	g_ptr_array_add(all, (gpointer)csp);
	for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
		g_ptr_array_add(all, (gpointer)headers[i]);
	g_ptr_array_add(all, NULL);
	return nhip_hub_http_respond(conn, status, content_type, body, len, web_security_headers,
				     (const gchar *const *)all->pdata);
}

static enum MHD_Result
web_respond(struct MHD_Connection *conn,
	    guint status,
	    const gchar *content_type,
	    gconstpointer body,
	    gsize len,
	    const gchar *const *headers)
{
	return web_respond_csp(conn, status, content_type, body, len, web_default_csp, headers);
}

static enum MHD_Result
web_respond_page(struct MHD_Connection *conn,
		 guint status,
		 GString *page,
		 const gchar *const *headers)
{
	return web_respond(conn, status, "text/html; charset=utf-8", page->str, page->len, headers);
}

static enum MHD_Result
web_redirect(struct MHD_Connection *conn, const gchar *location, const gchar *set_cookie)
{
	const gchar *headers[] = { "Location", location, set_cookie != NULL ? "Set-Cookie" : NULL,
				   set_cookie, NULL };
	return web_respond(conn, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, headers);
}

/* a page with a title and one message */
static enum MHD_Result
web_respond_message(struct MHD_Connection *conn,
		    guint status,
		    const WebSession *session,
		    const gchar *title,
		    const gchar *message)
{
	g_autoptr(GString) page = g_string_new(NULL);

	nhip_hub_html_page_begin(
		page, title,
		session != NULL && session->doctor != NULL ? session->doctor->display_name : NULL,
		session != NULL ? session->csrf : NULL);
	nhip_hub_html_tag_text(page, "h1", NULL, title);
	nhip_hub_html_tag_text(page, "p", "error", message);
	g_string_append(page, "<p><a href=\"/cases\">");
	nhip_hub_html_text(page, _("Back to the cases"));
	g_string_append(page, "</a></p>");
	nhip_hub_html_page_end(page);
	return web_respond_page(conn, status, page, NULL);
}

static enum MHD_Result
web_respond_no_case(struct MHD_Connection *conn, const WebSession *session)
{
	return web_respond_message(conn, MHD_HTTP_NOT_FOUND, session, _("No such case"),
				   _("There is no case with this number."));
}

static enum MHD_Result
web_respond_failure(struct MHD_Connection *conn, const WebSession *session)
{
	return web_respond_message(conn, MHD_HTTP_SERVICE_UNAVAILABLE, session,
				   _("The hub cannot do this now"),
				   _("Try again in a moment. If it keeps happening, tell the "
				     "hospital's technician."));
}

static gchar *
web_cookie(const gchar *name, const gchar *value, gint max_age)
{
	return g_strdup_printf("%s=%s; Path=/; Max-Age=%d; HttpOnly; Secure; SameSite=Strict", name,
			       value, max_age);
}

/* ----- helpers ----- */

static gboolean
web_tokens_equal(const gchar *a, const gchar *b)
{
	gsize len = a != NULL ? strlen(a) : 0;

	return a != NULL && b != NULL && len >= 16 && len == strlen(b) &&
	       CRYPTO_memcmp(a, b, len) == 0;
}

static const gchar *
web_field(WebRequest *req, const gchar *name)
{
	return g_hash_table_lookup(req->form, name);
}

static gboolean
web_parse_id(const gchar *text, gint64 *id)
{
	guint64 value = 0;

	if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &value, NULL))
		return FALSE;
	*id = (gint64)value;
	return TRUE;
}

static gchar *
web_local_time(gint64 unix_time)
{
	g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(unix_time);
	return time != NULL ? g_date_time_format(time, "%d/%m/%Y %H:%M") : g_strdup("?");
}

/* "3 hours ago" */
static gchar *
web_age(gint64 since, gint64 now)
{
	gint64 seconds = MAX(now - since, 0);

	if (seconds < 60)
		return g_strdup(_("just now"));
	if (seconds < 3600) {
		gint minutes = (gint)(seconds / 60);
		return g_strdup_printf(
			g_dngettext(GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes),
			minutes);
	}
	if (seconds < 48 * 3600) {
		gint hours = (gint)(seconds / 3600);
		return g_strdup_printf(
			g_dngettext(GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", hours), hours);
	}
	{
		gint days = (gint)(seconds / 86400);
		return g_strdup_printf(
			g_dngettext(GETTEXT_PACKAGE, "%d day ago", "%d days ago", days), days);
	}
}

static const gchar *
web_gender(const gchar *gender)
{
	if (g_strcmp0(gender, "male") == 0)
		return _("male");
	if (g_strcmp0(gender, "female") == 0)
		return _("female");
	if (g_strcmp0(gender, "other") == 0)
		return _("other");
	return _("unknown");
}

static const gchar *
web_urgency_label(const gchar *urgency)
{
	if (g_strcmp0(urgency, "stat") == 0)
		return _("emergency");
	if (g_strcmp0(urgency, "urgent") == 0)
		return _("urgent");
	return _("routine");
}

/* ----- sessions ----- */

static gchar *
web_token_hash(const gchar *token)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

/* fills @session when the request carries a live session; FALSE on a storage failure */
static gboolean
web_session_load(NhipHubWeb *self, struct MHD_Connection *conn, WebSession *session)
{
	const gchar *token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE);
	g_autoptr(GError) error = NULL;
	gint64 doctor_id;

	if (token == NULL || strlen(token) < 32 || strlen(token) > 128)
		return TRUE;
	session->token_sha256 = web_token_hash(token);
	doctor_id =
		nhip_hub_db_session_get(self->db, session->token_sha256,
					g_get_real_time() / G_USEC_PER_SEC, &session->csrf, &error);
	if (doctor_id == 0)
		return g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND);
	session->doctor = nhip_hub_db_doctor_get(self->db, NULL, doctor_id, &error);
	return session->doctor != NULL;
}

/* ----- login limits ----- */

/* failed logins are counted in the hub database (login_failures), so that a restart of
 * the hub does not lift a lock; FALSE (with a warning) when it cannot be read */
static gboolean
web_limit_locked(NhipHubWeb *self, const gchar *key, guint tries, gint64 now, gboolean *locked)
{
	g_autoptr(GError) error = NULL;
	gint64 failures = 0;

	if (!nhip_hub_db_login_failures(self->db, key, now, NHIP_HUB_WEB_LOGIN_WINDOW, &failures,
					&error)) {
		g_warning("cannot read the failed logins: %s", error->message);
		return FALSE;
	}
	*locked = *locked || failures >= tries;
	return TRUE;
}

static void
web_limit_fail(NhipHubWeb *self, const gchar *key, gint64 now)
{
	g_autoptr(GError) error = NULL;

	if (!nhip_hub_db_login_fail(self->db, key, now, NHIP_HUB_WEB_LOGIN_WINDOW, &error))
		g_warning("cannot count a failed login: %s", error->message);
}

static void
web_limit_clear(NhipHubWeb *self, const gchar *key)
{
	g_autoptr(GError) error = NULL;

	if (!nhip_hub_db_login_clear(self->db, key, &error))
		g_warning("cannot clear the failed logins: %s", error->message);
}

/* ----- login and logout ----- */

static enum MHD_Result
web_login_page(struct MHD_Connection *conn, guint status, const gchar *error_text)
{
	g_autoptr(GString) page = g_string_new(NULL);
	const gchar *old = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_LOGIN_COOKIE);
	g_autofree gchar *token = NULL;
	g_autofree gchar *cookie = NULL;
	const gchar *headers[] = { "Set-Cookie", NULL, NULL };

	/* the browser's own token is kept: two login pages open (or a second request the
	 * browser makes by itself) must not make each other's form stale */
	if (old != NULL && strlen(old) == 43 &&
	    strspn(old, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43)
		token = g_strdup(old);
	else
		token = nhip_hub_random_token(32);

	/* the form's token is tied to this cookie: a page of another site cannot post a
	 * login in the doctor's browser */
	cookie = g_strdup_printf("%s=%s; Path=/login; Max-Age=3600; HttpOnly; Secure; "
				 "SameSite=Strict",
				 WEB_LOGIN_COOKIE, token);
	headers[1] = cookie;
	nhip_hub_html_page_begin(page, _("Log in"), NULL, NULL);
	g_string_append(page, "<section class=\"login\"><h1>");
	nhip_hub_html_text(page, _("Log in"));
	g_string_append(page, "</h1>");
	if (error_text != NULL)
		nhip_hub_html_tag_text(page, "p", "error", error_text);
	g_string_append(page, "<form method=\"post\" action=\"/login\">");
	nhip_hub_html_hidden(page, "csrf", token);
	g_string_append(page, "<label for=\"user\">");
	nhip_hub_html_text(page, _("User name"));
	g_string_append(page, "</label><input type=\"text\" id=\"user\" name=\"user\" "
			      "autocomplete=\"username\" required maxlength=\"64\" autofocus>"
			      "<label for=\"password\">");
	nhip_hub_html_text(page, _("Password"));
	g_string_append(page, "</label><input type=\"password\" id=\"password\" name=\"password\" "
			      "autocomplete=\"current-password\" required maxlength=\"1024\">"
			      "<p><button type=\"submit\" id=\"login\">");
	nhip_hub_html_text(page, _("Log in"));
	g_string_append(page, "</button></p></form></section>");
	nhip_hub_html_page_end(page);
	return web_respond_page(conn, status, page, headers);
}

static enum MHD_Result
web_login(NhipHubWeb *self, struct MHD_Connection *conn, WebRequest *req)
{
	const gchar *user = web_field(req, "user");
	const gchar *password = web_field(req, "password");
	const gchar *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_LOGIN_COOKIE);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gchar peer[64] = { 0 };
	g_autofree gchar *user_key = NULL;
	g_autofree gchar *peer_key = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *token_sha256 = NULL;
	g_autofree gchar *csrf = NULL;
	g_autofree gchar *session_cookie = NULL;
	g_autoptr(NhipHubDoctor) doctor = NULL;
	g_autoptr(GError) error = NULL;
	gboolean locked = FALSE;

	nhip_hub_http_peer(conn, peer, sizeof(peer));
	if (!web_tokens_equal(cookie, web_field(req, "csrf"))) {
		g_message("refused a login from %s: no valid form token", peer);
		return web_login_page(conn, MHD_HTTP_FORBIDDEN,
				      _("The login form expired. Enter your name and password "
					"again."));
	}
	if (user == NULL || password == NULL || user[0] == '\0' ||
	    !g_utf8_validate(user, -1, NULL) || strlen(user) > 64)
		return web_login_page(conn, MHD_HTTP_BAD_REQUEST,
				      _("Enter your user name and password."));
	user_key = g_strconcat("user:", user, NULL);
	peer_key = g_strconcat("addr:", peer, NULL);
	/* a lock that cannot be read is taken as a lock: no password is tried */
	if (!web_limit_locked(self, user_key, NHIP_HUB_WEB_LOGIN_TRIES, now, &locked) ||
	    !web_limit_locked(self, peer_key, NHIP_HUB_WEB_ADDRESS_TRIES, now, &locked))
		return web_respond_failure(conn, NULL);
	if (locked) {
		g_message("refused a login to account %s from %s: too many failed tries", user,
			  peer);
		return web_login_page(conn, MHD_HTTP_TOO_MANY_REQUESTS,
				      _("Too many failed logins. Wait 15 minutes and try again."));
	}
	doctor = nhip_hub_db_doctor_get(self->db, user, 0, &error);
	if (doctor == NULL && !g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
		g_warning("cannot read the doctor accounts: %s", error->message);
		return web_respond_failure(conn, NULL);
	}
	/* an unknown name costs the same work as a wrong password */
	if (!nhip_hub_password_verify(password, doctor != NULL ? doctor->password : NULL) ||
	    doctor == NULL || doctor->disabled != 0) {
		web_limit_fail(self, user_key, now);
		web_limit_fail(self, peer_key, now);
		g_message("refused a login to account %s from %s: wrong name or password", user,
			  peer);
		return web_login_page(conn, MHD_HTTP_UNAUTHORIZED,
				      _("Wrong user name or password."));
	}
	web_limit_clear(self, user_key);
	token = nhip_hub_random_token(32);
	token_sha256 = web_token_hash(token);
	csrf = nhip_hub_random_token(24);
	if (!nhip_hub_db_session_add(self->db, token_sha256, doctor->id, csrf,
				     now + NHIP_HUB_WEB_SESSION_TTL, &error)) {
		g_warning("cannot store a session: %s", error->message);
		return web_respond_failure(conn, NULL);
	}
	g_message("doctor %" PRId64 " logged in from %s", doctor->id, peer);
	session_cookie = web_cookie(WEB_SESSION_COOKIE, token, NHIP_HUB_WEB_SESSION_TTL);
	return web_redirect(conn, "/cases", session_cookie);
}

static enum MHD_Result
web_logout(NhipHubWeb *self, struct MHD_Connection *conn, WebSession *session)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cookie = web_cookie(WEB_SESSION_COOKIE, "", 0);

	if (!nhip_hub_db_session_delete(self->db, session->token_sha256, &error)) {
		g_warning("cannot end a session: %s", error->message);
		return web_respond_failure(conn, session);
	}
	g_message("doctor %" PRId64 " logged out", session->doctor->id);
	return web_redirect(conn, "/login", cookie);
}

/* ----- the inbox ----- */

typedef struct {
	NhipHubPacket *packet;
	NhipHubCaseView *view; /* nullable: an unreadable case still shows */
	gint64 answered;       /* time of the last answer, 0 if none */
	gboolean calling;      /* the station is calling about it */
} WebCaseRow;

static void
web_case_row_free(WebCaseRow *row)
{
	nhip_hub_packet_free(row->packet);
	nhip_hub_case_view_free(row->view);
	g_free(row);
}

static NhipHubCaseView *
web_load_view(NhipHubWeb *self, const NhipHubPacket *packet, GError **error)
{
	g_autoptr(GBytes) json = NULL;

	if (packet->contents_sha256 == NULL) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("the case has no contents"));
		return NULL;
	}
	json = nhip_hub_blob_get(self->dir, packet->contents_sha256, error);
	if (json == NULL)
		return NULL;
	return nhip_hub_case_view_parse(json, error);
}

static gint
web_answered_compare(gconstpointer a, gconstpointer b)
{
	const WebCaseRow *x = *(WebCaseRow *const *)a;
	const WebCaseRow *y = *(WebCaseRow *const *)b;
	return x->answered > y->answered ? -1 : x->answered < y->answered;
}

static void
web_cases_table(GString *page, GPtrArray *rows, gint64 now, gboolean answered)
{
	g_string_append(page, "<table><thead><tr><th>");
	nhip_hub_html_text(page, _("Case"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Urgency"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Patient"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Question"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Station"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, answered ? _("Answered") : _("Waiting"));
	g_string_append(page, "</th></tr></thead><tbody>");
	for (guint i = 0; i < rows->len; i++) {
		WebCaseRow *row = g_ptr_array_index(rows, i);
		gboolean urgent = g_strcmp0(row->packet->urgency, "urgent") == 0;
		g_autofree gchar *age =
			web_age(answered ? row->answered : row->packet->received, now);
		g_autofree gchar *question = NULL;

		/* the question's first 80 characters (g_utf8_substring() must not go past
		 * the end) */
		if (row->view != NULL && row->view->question != NULL) {
			if (g_utf8_strlen(row->view->question, -1) > 80) {
				g_autofree gchar *cut =
					g_utf8_substring(row->view->question, 0, 80);
				question = g_strconcat(cut, "…", NULL);
			} else {
				question = g_strdup(row->view->question);
			}
		}
		g_string_append_printf(page, "<tr class=\"case%s\" data-case=\"%" PRId64 "\"><td>",
				       urgent && !answered ? " urgent" : "", row->packet->id);
		g_string_append_printf(page, "<a href=\"/cases/%" PRId64 "\">#%" PRId64 "</a>",
				       row->packet->id, row->packet->id);
		g_string_append(page, "</td><td>");
		nhip_hub_html_tag_text(page, "span", urgent ? "badge urgent" : "badge",
				       urgent ? _("urgent") : _("routine"));
		if (row->calling) {
			g_string_append_c(page, ' ');
			nhip_hub_html_tag_text(page, "span", "badge calling",
					       _("the station is calling"));
		}
		g_string_append_printf(page,
				       "</td><td><a class=\"patient\" href=\"/cases/%" PRId64 "\">",
				       row->packet->id);
		nhip_hub_html_text(page, row->view != NULL && row->view->patient_name != NULL
						 ? row->view->patient_name
						 : _("(unreadable case)"));
		g_string_append(page, "</a></td>");
		nhip_hub_html_tag_text(page, "td", NULL, question);
		nhip_hub_html_tag_text(page, "td", NULL, row->packet->station);
		nhip_hub_html_tag_text(page, "td", "muted", age);
		g_string_append(page, "</tr>");
	}
	g_string_append(page, "</tbody></table>");
}

static enum MHD_Result
web_cases(NhipHubWeb *self, struct MHD_Connection *conn, WebSession *session)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) packets = nhip_hub_db_packet_list(self->db, &error);
	g_autoptr(GHashTable) answered = NULL;
	g_autoptr(GHashTable) calls = NULL;
	g_autoptr(GPtrArray) open_rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)web_case_row_free);
	g_autoptr(GPtrArray) done_rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)web_case_row_free);
	g_autoptr(GString) page = g_string_new(NULL);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	if (packets != NULL)
		answered = nhip_hub_db_answered(self->db, &error);
	if (packets == NULL || answered == NULL) {
		g_warning("cannot list the cases: %s", error->message);
		return web_respond_failure(conn, session);
	}
	if (self->live != NULL && nhip_hub_live_get_config(self->live) != NULL) {
		calls = nhip_hub_db_live_open_cases(self->db, &error);
		if (calls == NULL) {
			g_warning("cannot list the live sessions: %s", error->message);
			g_clear_error(&error);
		}
	}
	/* the list comes urgent first, then oldest first: the order of the open cases */
	for (guint i = 0; i < packets->len; i++) {
		WebCaseRow *row = g_new0(WebCaseRow, 1);
		gint64 *when;
		g_autoptr(GError) error_local = NULL;

		row->packet = g_steal_pointer(&g_ptr_array_index(packets, i));
		when = g_hash_table_lookup(answered, &row->packet->id);
		row->answered = when != NULL ? *when : 0;
		row->calling =
			calls != NULL &&
			g_strcmp0(g_hash_table_lookup(calls, &row->packet->id), "station") == 0;
		row->view = web_load_view(self, row->packet, &error_local);
		if (row->view == NULL)
			g_warning("cannot read case %" PRId64 ": %s", row->packet->id,
				  error_local->message);
		g_ptr_array_add(row->answered != 0 ? done_rows : open_rows, row);
	}
	g_ptr_array_sort(done_rows, web_answered_compare);
	if (done_rows->len > WEB_ANSWERED_SHOWN)
		g_ptr_array_set_size(done_rows, WEB_ANSWERED_SHOWN);

	nhip_hub_html_page_begin(page, _("Cases"), session->doctor->display_name, session->csrf);
	nhip_hub_html_tag_text(page, "h1", NULL, _("Cases waiting for an answer"));
	g_string_append(page, "<section id=\"open\">");
	if (open_rows->len == 0)
		nhip_hub_html_tag_text(page, "p", "muted", _("No case is waiting."));
	else
		web_cases_table(page, open_rows, now, FALSE);
	g_string_append(page, "</section>");
	nhip_hub_html_tag_text(page, "h2", NULL, _("Answered"));
	g_string_append(page, "<section id=\"answered\">");
	if (done_rows->len == 0)
		nhip_hub_html_tag_text(page, "p", "muted", _("No case has been answered yet."));
	else
		web_cases_table(page, done_rows, now, TRUE);
	g_string_append(page, "</section>");
	nhip_hub_html_page_end(page);
	return web_respond_page(conn, MHD_HTTP_OK, page, NULL);
}

/* ----- one case ----- */

static void
web_dl_item(GString *page, const gchar *term, const gchar *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	nhip_hub_html_tag_text(page, "dt", NULL, term);
	nhip_hub_html_tag_text(page, "dd", NULL, value);
}

static gchar *
web_age_years(const gchar *birth_date, gint64 at)
{
	g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(at);
	gint year = 0;
	gint month = 1;
	gint day = 1;
	gint age;

	if (birth_date == NULL || sscanf(birth_date, "%d-%d-%d", &year, &month, &day) < 1 ||
	    year < 1850 || when == NULL)
		return NULL;
	age = g_date_time_get_year(when) - year;
	if (g_date_time_get_month(when) < month ||
	    (g_date_time_get_month(when) == month && g_date_time_get_day_of_month(when) < day))
		age--;
	if (age < 0)
		return NULL;
	return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%d year old", "%d years old", age),
			       age);
}

static void
web_case_vitals(GString *page, GPtrArray *vitals)
{
	g_autoptr(GPtrArray) codes = g_ptr_array_new();

	for (guint i = 0; i < vitals->len; i++) {
		NhipHubVital *vital = g_ptr_array_index(vitals, i);
		if (!g_ptr_array_find_with_equal_func(codes, vital->code, g_str_equal, NULL))
			g_ptr_array_add(codes, vital->code);
	}
	if (codes->len == 0) {
		nhip_hub_html_tag_text(page, "p", "muted", _("No vital signs were measured."));
		return;
	}
	g_string_append(page, "<table id=\"vitals\"><thead><tr><th>");
	nhip_hub_html_text(page, _("Vital sign"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Latest"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Measured"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Trend"));
	g_string_append(page, "</th></tr></thead><tbody>");
	for (guint c = 0; c < codes->len; c++) {
		const gchar *code = g_ptr_array_index(codes, c);
		const gchar *label = nhip_hub_vital_label(code);
		g_autoptr(GArray) a = g_array_new(FALSE, FALSE, sizeof(gdouble));
		g_autoptr(GArray) b = g_array_new(FALSE, FALSE, sizeof(gdouble));
		NhipHubVital *last = NULL;
		g_autofree gchar *value = NULL;
		g_autofree gchar *when = NULL;

		for (guint i = 0; i < vitals->len; i++) {
			NhipHubVital *vital = g_ptr_array_index(vitals, i);
			if (g_strcmp0(vital->code, code) != 0)
				continue;
			g_array_append_val(a, vital->values[0]);
			if (vital->n_values == 2)
				g_array_append_val(b, vital->values[1]);
			last = vital;
		}
		if (label == NULL)
			label = code;
		if (last->n_values == 2) {
			g_autofree gchar *x = nhip_hub_html_number(last->values[0]);
			g_autofree gchar *y = nhip_hub_html_number(last->values[1]);
			value = g_strdup_printf("%s/%s", x, y);
		} else {
			value = nhip_hub_html_number(last->values[0]);
		}
		when = web_local_time(last->time);
		g_string_append_printf(page, "<tr data-loinc=\"%s\">", code);
		nhip_hub_html_tag_text(page, "td", NULL, label);
		g_string_append(page, "<td class=\"value\">");
		nhip_hub_html_text(page, value);
		if (last->unit != NULL) {
			g_string_append_c(page, ' ');
			nhip_hub_html_text(page, last->unit);
		}
		if (g_strcmp0(last->flag, "H") == 0 || g_strcmp0(last->flag, "L") == 0) {
			g_string_append(page, " ");
			nhip_hub_html_tag_text(page, "span", "flag",
					       g_strcmp0(last->flag, "H") == 0 ? _("high")
									       : _("low"));
		}
		g_string_append(page, "</td>");
		nhip_hub_html_tag_text(page, "td", "muted", when);
		g_string_append(page, "<td>");
		nhip_hub_html_chart(page, label, (const gdouble *)(gpointer)a->data,
				    b->len == a->len ? (const gdouble *)(gpointer)b->data : NULL,
				    a->len);
		g_string_append(page, "</td></tr>");
	}
	g_string_append(page, "</tbody></table>");
}

static void
web_case_answers(GString *page, GPtrArray *answers)
{
	for (guint i = 0; i < answers->len; i++) {
		NhipHubAnswer *answer = g_ptr_array_index(answers, i);
		g_autofree gchar *when = web_local_time(answer->created);

		g_string_append(page, "<section class=\"answer\"><dl>");
		web_dl_item(page, _("Doctor"), answer->doctor_name);
		web_dl_item(page, _("Sent"), when);
		web_dl_item(page, _("Referral"),
			    answer->referral == 1   ? _("yes, refer the patient")
			    : answer->referral == 0 ? _("no referral")
						    : NULL);
		web_dl_item(page, _("Urgency"), web_urgency_label(answer->urgency));
		g_string_append(page, "</dl>");
		nhip_hub_html_tag_text(page, "blockquote", "advice", answer->advice);
		g_string_append(page, "</section>");
	}
}

static void
web_answer_form(GString *page,
		gint64 case_id,
		const gchar *csrf,
		const gchar *advice,
		const gchar *referral,
		const gchar *urgency)
{
	static const gchar *const urgencies[] = { "routine", "urgent", "stat" };

	g_string_append_printf(page,
			       "<form method=\"post\" action=\"/cases/%" PRId64 "/answer\" "
			       "id=\"answer-form\">",
			       case_id);
	nhip_hub_html_hidden(page, "csrf", csrf);
	g_string_append(page, "<label for=\"advice\">");
	nhip_hub_html_text(page, _("Advice for the station"));
	g_string_append_printf(page,
			       "</label><textarea id=\"advice\" name=\"advice\" required "
			       "maxlength=\"%d\">",
			       NHIP_HUB_WEB_ADVICE_MAX);
	nhip_hub_html_text(page, advice);
	g_string_append(page, "</textarea><fieldset><legend>");
	nhip_hub_html_text(page, _("Refer the patient to the hospital?"));
	g_string_append_printf(page,
			       "</legend><label><input type=\"radio\" name=\"referral\" "
			       "value=\"yes\" id=\"referral-yes\" required%s> ",
			       g_strcmp0(referral, "yes") == 0 ? " checked" : "");
	nhip_hub_html_text(page, _("Yes"));
	g_string_append_printf(page,
			       "</label><label><input type=\"radio\" name=\"referral\" "
			       "value=\"no\" id=\"referral-no\"%s> ",
			       g_strcmp0(referral, "no") == 0 ? " checked" : "");
	nhip_hub_html_text(page, _("No"));
	g_string_append(page, "</label></fieldset><label for=\"urgency\">");
	nhip_hub_html_text(page, _("Urgency"));
	g_string_append(page, "</label><select id=\"urgency\" name=\"urgency\">");
	for (guint i = 0; i < G_N_ELEMENTS(urgencies); i++) {
		g_string_append_printf(page, "<option value=\"%s\"%s>", urgencies[i],
				       g_strcmp0(urgency, urgencies[i]) == 0 ? " selected" : "");
		nhip_hub_html_text(page, web_urgency_label(urgencies[i]));
		g_string_append(page, "</option>");
	}
	g_string_append(page, "</select><p><button type=\"submit\" id=\"send-answer\">");
	nhip_hub_html_text(page, _("Send the answer"));
	g_string_append(page, "</button></p></form>");
}

/* the case's packet and what it says; NULL with the error page queued in @response */
static NhipHubCaseView *
web_case_load(NhipHubWeb *self,
	      struct MHD_Connection *conn,
	      WebSession *session,
	      gint64 case_id,
	      NhipHubPacket **packet_out,
	      enum MHD_Result *response)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubPacket) packet = nhip_hub_db_packet_by_case(self->db, case_id, &error);
	NhipHubCaseView *view;

	if (packet == NULL) {
		if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
			*response = web_respond_no_case(conn, session);
			return NULL;
		}
		g_warning("cannot read case %" PRId64 ": %s", case_id, error->message);
		*response = web_respond_failure(conn, session);
		return NULL;
	}
	view = web_load_view(self, packet, &error);
	if (view == NULL) {
		g_warning("cannot read case %" PRId64 ": %s", case_id, error->message);
		*response = web_respond_failure(conn, session);
		return NULL;
	}
	*packet_out = g_steal_pointer(&packet);
	return view;
}

/* the patient, the visit and the station's question */
static void
web_case_summary(GString *page, NhipHubCaseView *view, const NhipHubPacket *packet)
{
	g_autofree gchar *title = g_strdup_printf(_("Case %" PRId64), packet->id);
	g_autofree gchar *received = web_local_time(packet->received);
	g_autofree gchar *visit_start = NULL;
	g_autofree gchar *age = NULL;
	g_autofree gchar *birth = NULL;

	g_string_append(page, "<section id=\"summary\"><dl>");
	age = web_age_years(view->birth_date, packet->received);
	birth = age != NULL ? g_strdup_printf("%s (%s)", view->birth_date, age)
			    : g_strdup(view->birth_date);
	web_dl_item(page, _("Case"), title);
	web_dl_item(page, _("Sex"), web_gender(view->gender));
	web_dl_item(page, _("Date of birth"), birth);
	web_dl_item(page, _("Health insurance card"), view->bhyt);
	web_dl_item(page, _("Phone"), view->phone);
	web_dl_item(page, _("Address"), view->address);
	web_dl_item(page, _("Station code"), packet->station);
	web_dl_item(page, _("Health station"), view->facility);
	if (view->visit_start > 0)
		visit_start = web_local_time(view->visit_start);
	web_dl_item(page, _("Visit"), visit_start);
	web_dl_item(page, _("Reason for the visit"), view->reason);
	web_dl_item(page, _("Received"), received);
	if (view->conditions->len > 0) {
		g_autofree gchar *conditions = NULL;
		g_ptr_array_add(view->conditions, NULL);
		conditions = g_strjoinv("; ", (gchar **)view->conditions->pdata);
		g_ptr_array_remove_index(view->conditions, view->conditions->len - 1);
		web_dl_item(page, _("Diagnosis (ICD-10)"), conditions);
	}
	g_string_append(page, "</dl></section>");

	nhip_hub_html_tag_text(page, "h2", NULL, _("Question from the station"));
	g_string_append(page, "<section>");
	nhip_hub_html_tag_text(page, "blockquote", "question",
			       view->question != NULL ? view->question : _("(no question)"));
	if (view->notes != NULL) {
		nhip_hub_html_tag_text(page, "h3", NULL, _("Notes"));
		nhip_hub_html_tag_text(page, "p", "notes", view->notes);
	}
	g_string_append(page, "</section>");
}

static enum MHD_Result
web_case_page(NhipHubWeb *self,
	      struct MHD_Connection *conn,
	      WebSession *session,
	      gint64 case_id,
	      guint status,
	      const gchar *notice,
	      const gchar *error_text,
	      WebRequest *form)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(NhipHubCaseView) view = NULL;
	g_autoptr(GPtrArray) answers = NULL;
	g_autoptr(GString) page = g_string_new(NULL);
	g_autoptr(NhipHubLiveSession) live = NULL;
	g_autofree gchar *title = NULL;
	gboolean urgent;
	enum MHD_Result response = MHD_NO;

	view = web_case_load(self, conn, session, case_id, &packet, &response);
	if (view == NULL)
		return response;
	answers = nhip_hub_db_answer_list(self->db, case_id, &error);
	if (answers == NULL) {
		g_warning("cannot read the answers of case %" PRId64 ": %s", case_id,
			  error->message);
		return web_respond_failure(conn, session);
	}
	/* who opened which case is kept in the log (access to patient records) */
	g_message("doctor %" PRId64 " opened case %" PRId64, session->doctor->id, case_id);

	if (self->live != NULL && nhip_hub_live_get_config(self->live) != NULL) {
		live = nhip_hub_db_live_session_open_for(self->db, case_id, &error);
		if (live == NULL &&
		    !g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			g_warning("cannot read the live sessions of case %" PRId64 ": %s", case_id,
				  error->message);
		g_clear_error(&error);
	}

	urgent = g_strcmp0(packet->urgency, "urgent") == 0;
	title = g_strdup_printf(_("Case %" PRId64), case_id);
	nhip_hub_html_page_begin(page, title, session->doctor->display_name, session->csrf);
	g_string_append(page, "<p><a href=\"/cases\">");
	nhip_hub_html_text(page, _("← All cases"));
	g_string_append(page, "</a></p><h1><span id=\"patient-name\">");
	nhip_hub_html_text(page, view->patient_name != NULL ? view->patient_name : _("(no name)"));
	g_string_append(page, "</span> ");
	nhip_hub_html_tag_text(page, "span", urgent ? "badge urgent" : "badge",
			       urgent ? _("urgent") : _("routine"));
	if (answers->len > 0) {
		g_string_append_c(page, ' ');
		nhip_hub_html_tag_text(page, "span", "badge answered", _("answered"));
	}
	g_string_append(page, "</h1>");
	if (notice != NULL)
		nhip_hub_html_tag_text(page, "p", "notice", notice);
	if (self->live != NULL && nhip_hub_live_get_config(self->live) != NULL)
		nhip_hub_web_live_button(page, case_id, live != NULL ? live->started_by : NULL);

	web_case_summary(page, view, packet);

	nhip_hub_html_tag_text(page, "h2", NULL, _("Vital signs"));
	g_string_append(page, "<section>");
	web_case_vitals(page, view->vitals);
	g_string_append(page, "</section>");

	if (view->photos->len > 0) {
		nhip_hub_html_tag_text(page, "h2", NULL, _("Photos"));
		g_string_append(page, "<section class=\"photos\">");
		for (guint i = 0; i < view->photos->len; i++) {
			g_autofree gchar *alt = g_strdup_printf(_("Photo %u"), i + 1);
			g_string_append_printf(page,
					       "<a href=\"/cases/%" PRId64 "/photos/%u\">"
					       "<img src=\"/cases/%" PRId64 "/photos/%u\" alt=\"",
					       case_id, i + 1, case_id, i + 1);
			nhip_hub_html_text(page, alt);
			g_string_append(page, "\"></a>");
		}
		g_string_append(page, "</section>");
	}

	if (!nhip_hub_web_live_history(page, self->db, case_id, &error)) {
		g_warning("cannot read the calls of case %" PRId64 ": %s", case_id, error->message);
		g_clear_error(&error);
	}

	if (answers->len > 0) {
		nhip_hub_html_tag_text(page, "h2", NULL, _("Answers sent"));
		web_case_answers(page, answers);
	}
	nhip_hub_html_tag_text(page, "h2", NULL,
			       answers->len > 0 ? _("Send more advice") : _("Answer"));
	g_string_append(page, "<section>");
	if (error_text != NULL)
		nhip_hub_html_tag_text(page, "p", "error", error_text);
	web_answer_form(page, case_id, session->csrf,
			form != NULL ? web_field(form, "advice") : NULL,
			form != NULL ? web_field(form, "referral") : NULL,
			form != NULL ? web_field(form, "urgency")
			: urgent     ? "urgent"
				     : "routine");
	g_string_append(page, "</section>");
	nhip_hub_html_page_end(page);
	return web_respond_page(conn, status, page, NULL);
}

static enum MHD_Result
web_photo(NhipHubWeb *self,
	  struct MHD_Connection *conn,
	  WebSession *session,
	  gint64 case_id,
	  const gchar *index_text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(NhipHubCaseView) view = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GBytes) data = NULL;
	guint64 index = 0;
	const gchar *name;
	NhipHubCaseFile *file = NULL;

	packet = nhip_hub_db_packet_by_case(self->db, case_id, &error);
	if (packet != NULL)
		view = web_load_view(self, packet, &error);
	if (view != NULL)
		files = nhip_hub_db_case_file_list(self->db, case_id, &error);
	if (files == NULL) {
		if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			return web_respond_no_case(conn, session);
		g_warning("cannot read the photos of case %" PRId64 ": %s", case_id,
			  error->message);
		return web_respond_failure(conn, session);
	}
	if (!g_ascii_string_to_unsigned(index_text, 10, 1, view->photos->len, &index, NULL))
		return web_respond_message(conn, MHD_HTTP_NOT_FOUND, session, _("No such photo"),
					   _("This case has no photo with this number."));
	name = g_ptr_array_index(view->photos, index - 1);
	for (guint i = 0; i < files->len && file == NULL; i++) {
		NhipHubCaseFile *candidate = g_ptr_array_index(files, i);
		if (g_strcmp0(candidate->name, name) == 0 &&
		    (g_strcmp0(candidate->type, "image/jpeg") == 0 ||
		     g_strcmp0(candidate->type, "image/png") == 0))
			file = candidate;
	}
	if (file == NULL)
		return web_respond_message(conn, MHD_HTTP_NOT_FOUND, session, _("No such photo"),
					   _("This case has no photo with this number."));
	data = nhip_hub_blob_get(self->dir, file->sha256, &error);
	if (data == NULL) {
		g_warning("cannot read a photo of case %" PRId64 ": %s", case_id, error->message);
		return web_respond_failure(conn, session);
	}
	return web_respond(conn, MHD_HTTP_OK, file->type, g_bytes_get_data(data, NULL),
			   g_bytes_get_size(data), NULL);
}

static enum MHD_Result
web_answer(NhipHubWeb *self,
	   struct MHD_Connection *conn,
	   WebSession *session,
	   WebRequest *req,
	   gint64 case_id)
{
	g_autofree gchar *advice = g_strdup(web_field(req, "advice"));
	const gchar *referral = web_field(req, "referral");
	const gchar *urgency = web_field(req, "urgency");
	g_autoptr(NhipHubMessage) message = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *location = NULL;
	NhipHubAnswer answer = { 0 };
	glong length;

	if (advice != NULL)
		g_strstrip(advice);
	length =
		advice != NULL && g_utf8_validate(advice, -1, NULL) ? g_utf8_strlen(advice, -1) : 0;
	if (length == 0 || length > NHIP_HUB_WEB_ADVICE_MAX)
		return web_case_page(self, conn, session, case_id, MHD_HTTP_BAD_REQUEST, NULL,
				     _("Write your advice (at most 4000 characters)."), req);
	if (g_strcmp0(referral, "yes") != 0 && g_strcmp0(referral, "no") != 0)
		return web_case_page(self, conn, session, case_id, MHD_HTTP_BAD_REQUEST, NULL,
				     _("Say whether the patient should be referred."), req);
	if (!nhip_hub_urgency_is_valid(urgency))
		return web_case_page(self, conn, session, case_id, MHD_HTTP_BAD_REQUEST, NULL,
				     _("Choose the urgency."), req);
	answer.packet = case_id;
	answer.doctor = session->doctor->id;
	answer.doctor_name = session->doctor->display_name;
	answer.advice = advice;
	answer.referral = g_strcmp0(referral, "yes") == 0;
	answer.urgency = (gchar *)urgency;
	message = nhip_hub_ingest_answer(self->ingest, &answer, &error);
	g_free(answer.msg_id);
	if (message == NULL) {
		if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			return web_respond_no_case(conn, session);
		g_warning("cannot answer case %" PRId64 ": %s", case_id, error->message);
		return web_respond_failure(conn, session);
	}
	if (self->on_reply != NULL)
		self->on_reply(message, self->on_reply_data);
	location = g_strdup_printf("/cases/%" PRId64 "?sent=1", case_id);
	return web_redirect(conn, location, NULL);
}

/* ----- live consultations ----- */

static enum MHD_Result
web_live_page(NhipHubWeb *self, struct MHD_Connection *conn, WebSession *session, gint64 case_id)
{
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(NhipHubCaseView) view = NULL;
	g_autoptr(GString) page = g_string_new(NULL);
	g_autofree gchar *title = NULL;
	enum MHD_Result response = MHD_NO;

	if (self->live == NULL || nhip_hub_live_get_config(self->live) == NULL)
		return web_respond_message(conn, MHD_HTTP_SERVICE_UNAVAILABLE, session,
					   _("No live consultations"),
					   _("Live consultations are not set up on this hub. Ask "
					     "the hospital's technician to run nhip-hub "
					     "live-config."));
	view = web_case_load(self, conn, session, case_id, &packet, &response);
	if (view == NULL)
		return response;
	g_message("doctor %" PRId64 " opened the live page of case %" PRId64, session->doctor->id,
		  case_id);
	title = g_strdup_printf(_("Live consultation, case %" PRId64), case_id);
	nhip_hub_html_page_begin(page, title, session->doctor->display_name, session->csrf);
	nhip_hub_web_live_page_begin(page, case_id, session->csrf);
	g_string_append(page, "<h1 id=\"patient-name\">");
	nhip_hub_html_text(page, view->patient_name != NULL ? view->patient_name : _("(no name)"));
	g_string_append(page, "</h1>");
	web_case_summary(page, view, packet);
	nhip_hub_web_live_page_end(page);
	nhip_hub_html_page_end(page);
	return web_respond_csp(conn, MHD_HTTP_OK, "text/html; charset=utf-8", page->str, page->len,
			       self->live_csp, NULL);
}

static enum MHD_Result
web_respond_json(struct MHD_Connection *conn, guint status, const gchar *body)
{
	if (body == NULL)
		return web_respond(conn, status, NULL, "", 0, NULL);
	return web_respond(conn, status, "application/json", body, strlen(body), NULL);
}

static enum MHD_Result
web_respond_json_error(struct MHD_Connection *conn,
		       guint status,
		       const gchar *word,
		       const gchar *message)
{
	g_autofree gchar *body = nhip_hub_http_error_json(word, message);

	return web_respond_json(conn, status, body);
}

/* the live requests: POST /cases/ID/live, /live/SESSION[/events] */
static enum MHD_Result
web_live_api(NhipHubWeb *self,
	     struct MHD_Connection *conn,
	     WebSession *session,
	     WebRequest *req,
	     const gchar *const *parts,
	     const gchar *method)
{
	g_auto(NhipHubLiveReply) reply = { 0 };
	g_autofree gchar *who = g_strconcat("doctor:", session->doctor->username, NULL);
	NhipHubLiveCaller caller = { who, NULL };
	guint n = g_strv_length((gchar **)parts);
	const gchar *body = req->json != NULL ? (const gchar *)req->json->data : "";
	gsize len = req->json != NULL ? req->json->len : 0;
	gint64 case_id = 0;

	if (self->live == NULL || nhip_hub_live_get_config(self->live) == NULL)
		return web_respond_json_error(
			conn, MHD_HTTP_SERVICE_UNAVAILABLE, "live-unavailable",
			_("Live consultations are not set up on this hub. Ask the hospital's "
			  "technician to run nhip-hub live-config."));
	if (n == 4 && g_strcmp0(parts[1], "cases") == 0 && web_parse_id(parts[2], &case_id)) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHubPacket) packet =
			nhip_hub_db_packet_by_case(self->db, case_id, &error);

		if (packet == NULL) {
			if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
				return web_respond_json_error(conn, MHD_HTTP_NOT_FOUND, "not-found",
							      _("There is no case with this "
								"number."));
			g_warning("cannot read case %" PRId64 ": %s", case_id, error->message);
			return web_respond_json_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
						      "hub-failure", _("Try again in a moment."));
		}
		nhip_hub_live_open(self->live, &caller, packet, &reply);
	} else if (n == 3 || (n == 4 && g_strcmp0(parts[3], "events") == 0)) {
		if (!nhip_hub_live_session_request(
			    self->live, &caller, method, parts[2], n == 4,
			    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after"),
			    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "wait"), body,
			    len, &reply))
			return web_respond_json_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
						      _("This page cannot do that."));
	} else {
		return web_respond_json_error(conn, MHD_HTTP_NOT_FOUND, "not-found",
					      _("There is no such page."));
	}
	return web_respond_json(conn, reply.status, reply.body);
}

/* ----- dispatch ----- */

/* a POST must come from our own pages: the browser's Sec-Fetch-Site says same-origin
 * and its Origin is this host (older browsers send neither; the form token still holds) */
static gboolean
web_same_origin(struct MHD_Connection *conn)
{
	const gchar *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const gchar *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const gchar *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	g_autofree gchar *expected = NULL;

	if (site != NULL && g_strcmp0(site, "same-origin") != 0)
		return FALSE;
	if (origin == NULL)
		return TRUE;
	if (host == NULL)
		return FALSE;
	expected = g_strconcat("https://", host, NULL);
	return g_strcmp0(origin, expected) == 0;
}

static enum MHD_Result
web_dispatch(NhipHubWeb *self,
	     struct MHD_Connection *conn,
	     WebRequest *req,
	     const gchar *url,
	     const gchar *method)
{
	g_auto(WebSession) session = { 0 };
	gboolean get = g_strcmp0(method, "GET") == 0 || g_strcmp0(method, "HEAD") == 0;
	gboolean post = g_strcmp0(method, "POST") == 0;
	gboolean delete = g_strcmp0(method, "DELETE") == 0;
	g_auto(GStrv) parts = g_strsplit(url, "/", 6);
	guint n_parts = g_strv_length(parts);
	gint64 case_id = 0;
	/* the live requests speak JSON: POST /cases/ID/live, /live/SESSION[/events] */
	gboolean live_api = (n_parts >= 3 && n_parts <= 4 && g_strcmp0(parts[1], "live") == 0) ||
			    (n_parts == 4 && post && g_strcmp0(parts[1], "cases") == 0 &&
			     g_strcmp0(parts[3], "live") == 0);
	const gchar *content_type = NULL;
	g_autoptr(GBytes) static_file = NULL;

	if (g_strcmp0(url, "/static/nhip.css") == 0 && get)
		return web_respond(conn, MHD_HTTP_OK, "text/css; charset=utf-8", nhip_hub_html_css,
				   strlen(nhip_hub_html_css), NULL);
	if (get && (static_file = nhip_hub_web_live_static(url, &content_type)) != NULL)
		return web_respond(conn, MHD_HTTP_OK, content_type,
				   g_bytes_get_data(static_file, NULL),
				   g_bytes_get_size(static_file), NULL);
	/* asked for by browsers on their own; never sent to the login page */
	if (g_strcmp0(url, "/favicon.ico") == 0)
		return web_respond(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "", 0,
				   NULL);
	if (!get && !post && !(delete &&live_api))
		return web_respond_message(conn, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
					   _("Not allowed"), _("This page cannot do that."));
	if (live_api && (req->bad_body || ((post || delete) && !web_same_origin(conn)))) {
		g_message("refused a live request %s (%s)",
			  req->bad_body ? "with a body that is not JSON or too large"
					: "from another site",
			  url);
		return web_respond_json_error(
			conn, req->bad_body ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_FORBIDDEN, "refused",
			_("The request could not be accepted."));
	}
	if (post && (req->bad_body || !web_same_origin(conn))) {
		g_message("refused a form %s (%s)",
			  req->bad_body ? "with a body that is not a form" : "from another site",
			  url);
		return web_respond_message(conn, MHD_HTTP_FORBIDDEN, NULL, _("Refused"),
					   _("The form could not be accepted. Reload the page "
					     "and try again."));
	}
	if (g_strcmp0(url, "/login") == 0)
		return post ? web_login(self, conn, req) : web_login_page(conn, MHD_HTTP_OK, NULL);
	if (!web_session_load(self, conn, &session)) {
		g_warning("cannot read a session");
		return web_respond_failure(conn, NULL);
	}
	if (session.doctor == NULL && live_api)
		return web_respond_json_error(conn, MHD_HTTP_UNAUTHORIZED, "not-logged-in",
					      _("Your session ended. Log in again."));
	if (live_api) {
		if ((post || delete) &&
		    !web_tokens_equal(
			    session.csrf,
			    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token"))) {
			g_message("refused a live request of doctor %" PRId64
				  " without its token (%s)",
				  session.doctor->id, url);
			return web_respond_json_error(conn, MHD_HTTP_FORBIDDEN, "refused",
						      _("The request could not be accepted. "
							"Reload the page and try again."));
		}
		return web_live_api(self, conn, &session, req, (const gchar *const *)parts, method);
	}
	if (session.doctor == NULL) {
		if (post)
			return web_respond_message(conn, MHD_HTTP_FORBIDDEN, NULL,
						   _("Not logged in"),
						   _("Your session ended. Log in again."));
		return web_redirect(conn, "/login", NULL);
	}
	if (post && !web_tokens_equal(session.csrf, web_field(req, "csrf"))) {
		g_message("refused a form of doctor %" PRId64 " without its token (%s)",
			  session.doctor->id, url);
		return web_respond_message(conn, MHD_HTTP_FORBIDDEN, &session, _("Refused"),
					   _("The form could not be accepted. Reload the page "
					     "and try again."));
	}
	if (g_strcmp0(url, "/") == 0 && get)
		return web_redirect(conn, "/cases", NULL);
	if (g_strcmp0(url, "/logout") == 0 && post)
		return web_logout(self, conn, &session);
	if (g_strcmp0(url, "/cases") == 0 && get)
		return web_cases(self, conn, &session);
	if (n_parts >= 3 && g_strcmp0(parts[1], "cases") == 0 && web_parse_id(parts[2], &case_id)) {
		guint n = n_parts;
		if (n == 3 && get) {
			const gchar *sent =
				MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "sent");
			return web_case_page(self, conn, &session, case_id, MHD_HTTP_OK,
					     sent != NULL ? _("The answer was sent to the station.")
							  : NULL,
					     NULL, NULL);
		}
		if (n == 4 && post && g_strcmp0(parts[3], "answer") == 0)
			return web_answer(self, conn, &session, req, case_id);
		if (n == 5 && get && g_strcmp0(parts[3], "photos") == 0)
			return web_photo(self, conn, &session, case_id, parts[4]);
		if (n == 4 && get && g_strcmp0(parts[3], "live") == 0)
			return web_live_page(self, conn, &session, case_id);
	}
	return web_respond_message(conn, MHD_HTTP_NOT_FOUND, &session, _("Not found"),
				   _("There is no such page."));
}

static enum MHD_Result
web_post_field(void *cls,
	       enum MHD_ValueKind kind,
	       const char *key,
	       const char *filename,
	       const char *content_type,
	       const char *transfer_encoding,
	       const char *data,
	       uint64_t off,
	       size_t size)
{
	WebRequest *req = cls;
	const gchar *old = g_hash_table_lookup(req->form, key);
	gsize old_len = old != NULL ? strlen(old) : 0;

	if (filename != NULL || old_len + size > WEB_MAX_FIELD ||
	    memchr(data, '\0', size) != NULL) {
		req->bad_body = TRUE;
		return MHD_NO;
	}
	/* a value may come in pieces */
	{
		gchar *joined = g_malloc(old_len + size + 1);
		memcpy(joined, old != NULL ? old : "", old_len);
		memcpy(joined + old_len, data, size);
		joined[old_len + size] = '\0';
		g_hash_table_insert(req->form, g_strdup(key), joined);
	}
	return MHD_YES;
}

static enum MHD_Result
web_answer_cb(void *cls,
	      struct MHD_Connection *conn,
	      const char *url,
	      const char *method,
	      const char *version,
	      const char *upload_data,
	      size_t *upload_data_size,
	      void **req_cls)
{
	NhipHubWeb *self = cls;
	WebRequest *req = *req_cls;

	if (req == NULL) {
		req = g_new0(WebRequest, 1);
		req->form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		if (g_strcmp0(method, "POST") == 0) {
			const gchar *type = MHD_lookup_connection_value(
				conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
			/* the live requests: JSON, or no body at all */
			if (type == NULL || g_str_has_prefix(type, "application/json"))
				req->json = g_byte_array_new();
			else if (type != NULL &&
				 g_str_has_prefix(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED))
				req->post =
					MHD_create_post_processor(conn, 4096, web_post_field, req);
			if (req->post == NULL && req->json == NULL)
				req->bad_body = TRUE;
		}
		*req_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		req->received += *upload_data_size;
		if (req->received > (req->json != NULL ? NHIP_HUB_LIVE_BODY_MAX : WEB_MAX_BODY))
			req->bad_body = TRUE;
		if (!req->bad_body && req->json != NULL)
			g_byte_array_append(req->json, (const guint8 *)upload_data,
					    (guint)*upload_data_size);
		if (!req->bad_body && req->post != NULL &&
		    MHD_post_process(req->post, upload_data, *upload_data_size) != MHD_YES)
			req->bad_body = TRUE;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return web_dispatch(self, conn, req, url, method);
}

static void
web_completed(void *cls,
	      struct MHD_Connection *conn,
	      void **req_cls,
	      enum MHD_RequestTerminationCode toe)
{
	if (*req_cls != NULL)
		web_request_free(*req_cls);
	*req_cls = NULL;
}

/* ----- life cycle ----- */

/**
 * nhip_hub_web_new:
 * @hub_dir: the hub folder
 * @db: the hub database (kept, not owned)
 * @ingest: what makes reply packets (kept, not owned)
 * @error: return location for a #GError
 *
 * The pages are served with the hub's HTTPS certificate, or with the one named by `cert`
 * and `key` in the [web] group of hub.conf (e.g. one the hospital's browsers already
 * trust).
 *
 * Returns: (transfer full) (nullable): the pages, not yet listening
 */
NhipHubWeb *
nhip_hub_web_new(const gchar *hub_dir, NhipHubDb *db, NhipHubIngest *ingest, GError **error)
{
	g_autoptr(NhipHubWeb) self = g_new0(NhipHubWeb, 1);
	g_autofree gchar *config = nhip_ca_path(hub_dir, NHIP_CA_FILE_CONFIG);
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree gchar *key_path = NULL;
	g_autofree gchar *cert_path = NULL;

	self->dir = g_strdup(hub_dir);
	self->db = db;
	self->ingest = ingest;
	if (g_key_file_load_from_file(file, config, G_KEY_FILE_NONE, NULL)) {
		key_path = g_key_file_get_string(file, "web", "key", NULL);
		cert_path = g_key_file_get_string(file, "web", "cert", NULL);
	}
	if (key_path == NULL || cert_path == NULL) {
		g_free(key_path);
		g_free(cert_path);
		key_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_TLS_KEY);
		cert_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_TLS_CERT);
	}
	if (!g_file_get_contents(key_path, &self->key_pem, NULL, error) ||
	    !g_file_get_contents(cert_path, &self->cert_pem, NULL, error))
		return NULL;
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_web_set_on_reply:
 * @self: the pages
 * @callback: (nullable): called with the #NhipHubMessage of each answer sent (to wake the
 *   stations' long-polls)
 * @user_data: for @callback
 */
void
nhip_hub_web_set_on_reply(NhipHubWeb *self, GFunc callback, gpointer user_data)
{
	self->on_reply = callback;
	self->on_reply_data = user_data;
}

/**
 * nhip_hub_web_set_live:
 * @self: the pages
 * @live: (nullable): the live consultations (kept, not owned; must outlive the pages)
 */
void
nhip_hub_web_set_live(NhipHubWeb *self, NhipHubLive *live)
{
	self->live = live;
	g_free(self->live_csp);
	self->live_csp =
		nhip_hub_web_live_csp(live != NULL ? nhip_hub_live_get_config(live) : NULL);
}

/**
 * nhip_hub_web_start:
 * @self: the pages
 * @listen: ADDR:PORT; port 0 picks a free one (see nhip_hub_web_get_port())
 * @error: return location for a #GError
 *
 * Returns: %TRUE when listening
 */
gboolean
nhip_hub_web_start(NhipHubWeb *self, const gchar *listen, GError **error)
{
	struct sockaddr_storage address = { 0 };
	gsize address_len = 0;
	guint flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		      MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ERROR_LOG;

	if (!nhip_hub_parse_listen(listen, &address, &address_len, error))
		return FALSE;
	if (address.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	self->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, web_answer_cb, self, MHD_OPTION_SOCK_ADDR, &address,
		MHD_OPTION_HTTPS_MEM_KEY, self->key_pem, MHD_OPTION_HTTPS_MEM_CERT, self->cert_pem,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)200, MHD_OPTION_NOTIFY_COMPLETED, web_completed, self,
		MHD_OPTION_EXTERNAL_LOGGER, nhip_hub_http_log, (void *)"web", MHD_OPTION_END);
	if (self->daemon == NULL) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			    _("cannot listen for the doctors' pages on %s (is the port in use, or "
			      "the TLS key unreadable?)"),
			    listen);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_web_get_port:
 * @self: the pages, started
 *
 * Returns: the port they are served on
 */
guint16
nhip_hub_web_get_port(NhipHubWeb *self)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

/**
 * nhip_hub_web_free:
 * @self: (nullable): the pages; stops listening and waits for requests in progress
 */
void
nhip_hub_web_free(NhipHubWeb *self)
{
	if (self == NULL)
		return;
	if (self->daemon != NULL)
		MHD_stop_daemon(self->daemon);
	if (self->key_pem != NULL)
		OPENSSL_cleanse(self->key_pem, strlen(self->key_pem));
	g_free(self->key_pem);
	g_free(self->cert_pem);
	g_free(self->live_csp);
	g_free(self->dir);
	g_free(self);
}
