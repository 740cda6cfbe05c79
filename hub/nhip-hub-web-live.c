/*
 * Nhịp hub — the doctors' live consultation page and the calls' record on the case view
 * (see nhip-hub-web-live.h).
 *
 * The page is HTML from the server (every value escaped) with two scripts served by the
 * hub itself (/static/nhip-janus.js, /static/nhip-live.js): its Content-Security-Policy
 * allows scripts from the hub only, none inline, and connections to the hub and to
 * Janus's HTTPS origin only. The texts the script shows are in the page, translated by
 * gettext like every other page (a hidden <dl id="live-strings">).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-hub-html.h"
#include "nhip-hub-resources.h"
#include "nhip-hub-web-live.h"
#include "nhip-json-member.h"

/**
 * nhip_hub_web_live_csp:
 * @config: (nullable): the [live] settings
 *
 * Returns: (transfer full): the live page's Content-Security-Policy: scripts from the hub
 *   only, connections to the hub and to Janus's HTTPS origin
 */
gchar *
nhip_hub_web_live_csp(const NhipHubLiveConfig *config)
{
	g_autoptr(GUri) uri = NULL;
	g_autofree gchar *janus = NULL;

	if (config != NULL)
		uri = g_uri_parse(config->janus_web_url, G_URI_FLAGS_NONE, NULL);
	if (uri != NULL && g_uri_get_host(uri) != NULL) {
		const gchar *host = g_uri_get_host(uri);
		gboolean v6 = strchr(host, ':') != NULL;
		gint port = g_uri_get_port(uri);
		janus = port > 0 ? g_strdup_printf(" %s://%s%s%s:%d", g_uri_get_scheme(uri),
						   v6 ? "[" : "", host, v6 ? "]" : "", port)
				 : g_strdup_printf(" %s://%s%s%s", g_uri_get_scheme(uri),
						   v6 ? "[" : "", host, v6 ? "]" : "");
	}
	return g_strdup_printf("default-src 'none'; script-src 'self'; style-src 'self'; "
			       "img-src 'self'; media-src 'self' blob: mediastream:; "
			       "connect-src 'self'%s; form-action 'self'; frame-ancestors 'none'; "
			       "base-uri 'none'",
			       janus != NULL ? janus : "");
}

/**
 * nhip_hub_web_live_static:
 * @url: a request's path
 * @content_type: (out): the file's type
 *
 * Returns: (transfer full) (nullable): the live page's script or style sheet at @url,
 *   %NULL for any other path
 */
GBytes *
nhip_hub_web_live_static(const gchar *url, const gchar **content_type)
{
	static const struct {
		const gchar *url;
		const gchar *resource;
		const gchar *type;
	} files[] = {
		{ "/static/nhip-janus.js", "/vn/nhip/hub/web/nhip-janus.js",
		  "text/javascript; charset=utf-8" },
		{ "/static/nhip-live.js", "/vn/nhip/hub/web/nhip-live.js",
		  "text/javascript; charset=utf-8" },
		{ "/static/nhip-live.css", "/vn/nhip/hub/web/nhip-live.css",
		  "text/css; charset=utf-8" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		if (g_strcmp0(url, files[i].url) == 0) {
			*content_type = files[i].type;
			return g_resource_lookup_data(nhip_hub_get_resource(), files[i].resource, 0,
						      NULL);
		}
	}
	return NULL;
}

/* the head of a table of readings */
static void
live_vitals_head(GString *page, const gchar *attributes)
{
	g_string_append_printf(page, "<table%s><thead><tr><th>", attributes);
	nhip_hub_html_text(page, _("Vital sign"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Value"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Device"));
	g_string_append(page, "</th><th>");
	nhip_hub_html_text(page, _("Measured"));
	g_string_append(page, "</th></tr></thead>");
}

static void
live_string(GString *page, const gchar *key, const gchar *text)
{
	g_string_append_printf(page, "<dt>%s</dt><dd>", key);
	nhip_hub_html_text(page, text);
	g_string_append(page, "</dd>");
}

/**
 * nhip_hub_web_live_page_begin:
 * @page: the page, begun
 * @case_id: the case
 * @csrf: the session's token, for the script's requests
 *
 * The video and its controls, then the side column: what the caller puts next (the case's
 * summary) goes at its top, before nhip_hub_web_live_page_end().
 */
void
nhip_hub_web_live_page_begin(GString *page, gint64 case_id, const gchar *csrf)
{
	g_string_append(page, "<link rel=\"stylesheet\" href=\"/static/nhip-live.css\">");
	g_string_append_printf(page, "<p><a href=\"/cases/%" PRId64 "\" id=\"back\">", case_id);
	nhip_hub_html_text(page, _("← Back to the case"));
	g_string_append_printf(page,
			       "</a></p><div id=\"live\" class=\"live\" data-case=\"%" PRId64
			       "\" data-csrf=\"",
			       case_id);
	nhip_hub_html_text(page, csrf);
	g_string_append(page, "\"><section class=\"live-video\"><div class=\"stage\" id=\"stage\">"
			      "<video id=\"remote-video\" autoplay playsinline></video>"
			      "<div id=\"stage-notice\" class=\"stage-notice\" hidden>"
			      "<p class=\"stage-notice-title\">");
	/* instead of the station's picture while its link carries sound only */
	nhip_hub_html_text(page, _("Audio only"));
	g_string_append(page, "</p><p id=\"stage-notice-text\"></p></div>"
			      "<video id=\"self-video\" autoplay playsinline muted></video>"
			      "<p id=\"call-state\" class=\"call-state\" role=\"status\" "
			      "data-state=\"connecting\">");
	nhip_hub_html_text(page, _("connecting…"));
	g_string_append(page, "</p></div><div class=\"controls\">"
			      "<button type=\"button\" id=\"mute\" aria-pressed=\"false\">");
	nhip_hub_html_text(page, _("Mute"));
	g_string_append(page, "</button><button type=\"button\" id=\"camera\" "
			      "aria-pressed=\"false\">");
	nhip_hub_html_text(page, _("Camera off"));
	g_string_append(page, "</button><button type=\"button\" id=\"hangup\" class=\"danger\">");
	nhip_hub_html_text(page, _("Hang up"));
	g_string_append(page, "</button></div><p id=\"link-quality\" class=\"link-quality\" "
			      "role=\"status\" hidden></p></section><aside class=\"live-side\">");
}

/* the texts the page's script shows, by the key it looks them up with */
static const struct {
	const gchar *key;
	const gchar *text;
} live_strings[] = {
	{ "connecting", N_("connecting…") },
	{ "waiting", N_("waiting for the health station to join…") },
	{ "connected", N_("connected") },
	{ "audio-only", N_("audio only — the station's link is weak") },
	{ "no-video", N_("no picture from the station") },
	{ "video-resuming", N_("the picture is coming back…") },
	{ "notice-audio-only",
	  N_("The health station's link is too weak for video. You keep hearing the "
	     "station; its picture comes back by itself when the link improves.") },
	{ "notice-video-back",
	  N_("The health station's link is better: its picture is coming back…") },
	{ "notice-no-video",
	  N_("No picture is arriving from the health station; its sound still comes "
	     "through.") },
	{ "link-good", N_("Your connection: good") },
	{ "link-weak",
	  N_("Your connection is weak: the station sees a less clear picture of you") },
	{ "link-poor", N_("Your connection is very weak: turn your camera off so that the station "
			  "hears you clearly") },
	{ "link-poor-camera-off",
	  N_("Your connection is very weak: the station may hear you with gaps") },
	{ "reconnecting", N_("connection lost — reconnecting…") },
	{ "ended", N_("the call has ended") },
	{ "failed", N_("cannot connect the call") },
	{ "no-media", N_("no camera or microphone: the station cannot see or "
			 "hear you") },
	{ "mute", N_("Mute") },
	{ "unmute", N_("Unmute") },
	{ "camera-off", N_("Camera off") },
	{ "camera-on", N_("Camera on") },
	{ "me", N_("You") },
	{ "station", N_("Station") },
	{ "send-failed", N_("The message was not sent; try again.") },
	{ "joined", N_("joined the call") },
	{ "left", N_("left the call") },
	{ "audio-only-event", N_("switched to audio only") },
	{ "video-event", N_("video is back") },
	{ "ended-event", N_("ended the call") },
};

/**
 * nhip_hub_web_live_page_end:
 * @page: the page, with the side column's top written
 *
 * The live vitals panel, the chat, the script's texts and the scripts.
 */
void
nhip_hub_web_live_page_end(GString *page)
{
	const gchar *label = NULL;
	const gchar *code;

	g_string_append(page, "<section id=\"live-vitals\"><h2>");
	nhip_hub_html_text(page, _("Readings during the call"));
	g_string_append(page, "</h2>");
	live_vitals_head(page, "");
	g_string_append(page, "<tbody id=\"vitals-body\"></tbody></table>"
			      "<p class=\"muted\" id=\"vitals-empty\">");
	nhip_hub_html_text(page, _("No reading has arrived during the call yet."));
	g_string_append(page, "</p></section><section id=\"chat\"><h2>");
	nhip_hub_html_text(page, _("Chat"));
	g_string_append(page, "</h2><ol id=\"chat-log\"></ol><form id=\"chat-form\">"
			      "<label for=\"chat-text\" class=\"hidden-label\">");
	nhip_hub_html_text(page, _("Message"));
	g_string_append_printf(page,
			       "</label><input type=\"text\" id=\"chat-text\" maxlength=\"%d\" "
			       "autocomplete=\"off\" required>"
			       "<button type=\"submit\" id=\"chat-send\">",
			       NHIP_HUB_LIVE_TEXT_MAX);
	nhip_hub_html_text(page, _("Send"));
	g_string_append(page, "</button></form></section></aside></div>");

	/* the script's texts */
	g_string_append(page, "<dl id=\"live-strings\" hidden>");
	for (guint i = 0; i < G_N_ELEMENTS(live_strings); i++)
		live_string(page, live_strings[i].key, _(live_strings[i].text));
	for (guint i = 0; (code = nhip_hub_live_vital_nth(i, &label)) != NULL; i++) {
		g_autofree gchar *key = g_strconcat("vital-", code, NULL);
		live_string(page, key, label);
	}
	g_string_append(page, "</dl><script src=\"/static/nhip-janus.js\" defer></script>"
			      "<script src=\"/static/nhip-live.js\" defer></script>");
}

/**
 * nhip_hub_web_live_button:
 * @page: the case view
 * @case_id: the case
 * @started_by: (nullable): who opened the case's open session, %NULL when there is none
 *
 * "Call live" (or "Join the call" when the station is calling).
 */
void
nhip_hub_web_live_button(GString *page, gint64 case_id, const gchar *started_by)
{
	g_string_append(page, "<p class=\"live-call\">");
	if (g_strcmp0(started_by, "station") == 0) {
		nhip_hub_html_tag_text(page, "span", "badge calling", _("the station is calling"));
		g_string_append_c(page, ' ');
	}
	g_string_append_printf(
		page, "<a class=\"button\" id=\"call-live\" href=\"/cases/%" PRId64 "/live\">",
		case_id);
	nhip_hub_html_text(page, started_by != NULL ? _("Join the call") : _("Call live"));
	g_string_append(page, "</a></p>");
}

/* ----- the calls' record on the case view ----- */

static gchar *
live_time(gint64 unix_time)
{
	g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(unix_time);
	return time != NULL ? g_date_time_format(time, "%d/%m/%Y %H:%M") : g_strdup("?");
}

/* who said it, as the doctors read it */
static gchar *
live_sender(NhipHubDb *db, GHashTable *names, const gchar *sender)
{
	const gchar *known = g_hash_table_lookup(names, sender);
	g_autoptr(NhipHubDoctor) doctor = NULL;

	if (known != NULL)
		return g_strdup(known);
	if (g_str_has_prefix(sender, "station:"))
		return g_strdup_printf(_("Station %s"), sender + strlen("station:"));
	if (g_str_has_prefix(sender, "doctor:"))
		doctor = nhip_hub_db_doctor_get(db, sender + strlen("doctor:"), 0, NULL);
	if (doctor != NULL) {
		g_hash_table_insert(names, g_strdup(sender), g_strdup(doctor->display_name));
		return g_strdup(doctor->display_name);
	}
	if (g_strcmp0(sender, "hub") == 0)
		return g_strdup(_("the hub (time was up)"));
	return g_strdup(sender);
}

static const gchar *
live_state_text(const gchar *state)
{
	if (g_strcmp0(state, "joined") == 0)
		return _("joined the call");
	if (g_strcmp0(state, "left") == 0)
		return _("left the call");
	if (g_strcmp0(state, "audio-only") == 0)
		return _("switched to audio only");
	if (g_strcmp0(state, "video") == 0)
		return _("video is back");
	return _("ended the call");
}

static void
live_history_session(GString *page,
		     NhipHubDb *db,
		     GHashTable *names,
		     const NhipHubLiveSession *session,
		     GPtrArray *events)
{
	g_autofree gchar *started = live_time(session->created);
	g_autoptr(GString) vitals = g_string_new(NULL);
	gint64 end = session->ended != 0 ? session->ended : g_get_real_time() / G_USEC_PER_SEC;
	gint minutes = (gint)MAX((end - session->created + 59) / 60, 0);
	g_autofree gchar *title = NULL;
	gboolean any_chat = FALSE;

	title = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "Call of %s, %d minute",
					    "Call of %s, %d minutes", minutes),
				started, minutes);
	g_string_append_printf(page, "<section class=\"live-history\" data-session=\"%s\">",
			       session->id);
	nhip_hub_html_tag_text(page, "h3", NULL, title);
	if (g_strcmp0(session->state, "ended") != 0)
		nhip_hub_html_tag_text(page, "p", "notice", _("This call is still open."));
	g_string_append(page, "<ol class=\"transcript\">");
	for (guint i = 0; i < events->len; i++) {
		NhipHubLiveEvent *event = g_ptr_array_index(events, i);
		g_autoptr(JsonParser) parser = json_parser_new_immutable();
		g_autofree gchar *who = live_sender(db, names, event->sender);
		g_autofree gchar *at = live_time(event->at);
		JsonObject *fields;

		if (!json_parser_load_from_data(parser, event->body, -1, NULL) ||
		    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
			continue;
		fields = json_node_get_object(json_parser_get_root(parser));
		if (g_strcmp0(event->kind, "vital") == 0) {
			const gchar *code = nhip_json_member_string(fields, "code");
			const gchar *label = nhip_hub_live_vital_label(code);
			const gchar *unit = nhip_json_member_string(fields, "unit");
			const gchar *device = nhip_json_member_string(fields, "device");
			JsonNode *value = json_object_get_member(fields, "value");
			g_autofree gchar *number = NULL;
			g_autoptr(GDateTime) taken = NULL;
			g_autofree gchar *taken_text = NULL;
			const gchar *taken_iso = nhip_json_member_string(fields, "taken_at");

			if (value == NULL || !JSON_NODE_HOLDS_VALUE(value))
				continue;
			number = nhip_hub_html_number(json_node_get_double(value));
			if (taken_iso != NULL)
				taken = g_date_time_new_from_iso8601(taken_iso, NULL);
			if (taken != NULL)
				taken_text = live_time(g_date_time_to_unix(taken));
			g_string_append(vitals, "<tr data-code=\"");
			nhip_hub_html_text(vitals, code);
			g_string_append(vitals, "\">");
			nhip_hub_html_tag_text(vitals, "td", NULL, label != NULL ? label : code);
			g_string_append(vitals, "<td class=\"value\">");
			nhip_hub_html_text(vitals, number);
			if (unit != NULL) {
				g_string_append_c(vitals, ' ');
				nhip_hub_html_text(vitals, unit);
			}
			g_string_append(vitals, "</td>");
			nhip_hub_html_tag_text(vitals, "td", NULL, device);
			nhip_hub_html_tag_text(vitals, "td", "muted",
					       taken_text != NULL ? taken_text : at);
			g_string_append(vitals, "</tr>");
			continue;
		}
		g_string_append_printf(page, "<li class=\"%s\">",
				       g_strcmp0(event->kind, "chat") == 0 ? "chat"
									   : "state muted");
		nhip_hub_html_tag_text(page, "span", "when", at);
		g_string_append_c(page, ' ');
		nhip_hub_html_tag_text(page, "strong", "who", who);
		g_string_append(page, ": ");
		if (g_strcmp0(event->kind, "chat") == 0) {
			nhip_hub_html_tag_text(page, "span", "text",
					       nhip_json_member_string(fields, "text"));
			any_chat = TRUE;
		} else {
			nhip_hub_html_tag_text(
				page, "span", "text",
				live_state_text(nhip_json_member_string(fields, "state")));
		}
		g_string_append(page, "</li>");
	}
	g_string_append(page, "</ol>");
	if (!any_chat)
		nhip_hub_html_tag_text(page, "p", "muted", _("Nothing was written in the chat."));
	if (vitals->len > 0) {
		live_vitals_head(page, " class=\"live-vitals\"");
		g_string_append(page, "<tbody>");
		g_string_append_len(page, vitals->str, (gssize)vitals->len);
		g_string_append(page, "</tbody></table>");
	}
	g_string_append(page, "</section>");
}

/**
 * nhip_hub_web_live_history:
 * @page: the case view
 * @db: the hub database
 * @case_id: the case
 * @error: return location for a #GError
 *
 * The case's calls, each with its chat transcript, who joined and left, and the readings
 * taken during it; nothing when the case had no call.
 *
 * Returns: %FALSE when the database failed
 */
gboolean
nhip_hub_web_live_history(GString *page, NhipHubDb *db, gint64 case_id, GError **error)
{
	g_autoptr(GPtrArray) sessions = nhip_hub_db_live_session_list(db, case_id, error);
	g_autoptr(GHashTable) names = NULL;

	if (sessions == NULL)
		return FALSE;
	if (sessions->len == 0)
		return TRUE;
	names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_string_append(page, "<h2 id=\"live-history\">");
	nhip_hub_html_text(page, _("Live consultations"));
	g_string_append(page, "</h2>");
	for (guint i = 0; i < sessions->len; i++) {
		NhipHubLiveSession *session = g_ptr_array_index(sessions, i);
		g_autoptr(GPtrArray) events =
			nhip_hub_db_live_event_list(db, session->id, 0, 10000, error);
		if (events == NULL)
			return FALSE;
		live_history_session(page, db, names, session, events);
	}
	return TRUE;
}
