/*
 * Nhịp — the ICD-10 list of the diagnosis picker: chapters and common codes in Vietnamese.
 *
 * The list is a UTF-8 text file with one record per line, fields separated by tabs:
 *   chapter <TAB> I <TAB> A00-B99 <TAB> title
 *   code <TAB> A09 <TAB> name
 * Blank lines and lines starting with '#' are skipped. Every code must fall in a chapter
 * listed before it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-icd10.h"
#include "nhip-text.h"
#include "nhip-ui-error.h"
#include "nhip-validate.h"

struct _NhipIcd10Catalog {
	GPtrArray *chapters; /* NhipIcd10Chapter, owned */
	GPtrArray *entries;  /* NhipIcd10Entry, owned, in file order */
	GHashTable *by_code; /* code_key → entry */
};

static void
icd10_chapter_free(NhipIcd10Chapter *chapter)
{
	g_free(chapter->number);
	g_free(chapter->first);
	g_free(chapter->last);
	g_free(chapter->name);
	g_free(chapter);
}

static void
icd10_entry_free(NhipIcd10Entry *entry)
{
	g_free(entry->code);
	g_free(entry->name);
	g_free(entry->folded);
	g_free(entry->code_key);
	g_free(entry);
}

/**
 * nhip_icd10_catalog_free:
 * @self: (nullable): a catalog
 */
void
nhip_icd10_catalog_free(NhipIcd10Catalog *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->by_code);
	g_ptr_array_unref(self->entries);
	g_ptr_array_unref(self->chapters);
	g_free(self);
}

/* "j06.9", " J069 " → "J069"; NULL unless it could be (the start of) a code */
static gchar *
icd10_code_key(const gchar *text)
{
	GString *key = g_string_new(NULL);

	for (const gchar *p = text; *p != '\0'; p++) {
		if (*p == '.' || *p == ' ')
			continue;
		if (!g_ascii_isalnum(*p) || key->len >= 7) {
			g_string_free(key, TRUE);
			return NULL;
		}
		g_string_append_c(key, g_ascii_toupper(*p));
	}
	if (key->len == 0 || !g_ascii_isalpha(key->str[0]) ||
	    (key->len > 1 && !g_ascii_isdigit(key->str[1]))) {
		g_string_free(key, TRUE);
		return NULL;
	}
	return g_string_free(key, FALSE);
}

static gboolean
icd10_fail(GError **error, guint line, const gchar *what)
{
	g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_DATA,
		    _("the ICD-10 list is damaged at line %u: %s; reinstall the program"), line,
		    what);
	return FALSE;
}

static gboolean
icd10_parse_line(NhipIcd10Catalog *self, const gchar *line, guint number, GError **error)
{
	g_auto(GStrv) fields = g_strsplit(line, "\t", -1);
	guint n = g_strv_length(fields);

	if (g_strcmp0(fields[0], "chapter") == 0) {
		NhipIcd10Chapter *chapter;
		g_auto(GStrv) range = NULL;
		if (n != 4)
			return icd10_fail(error, number, _("a chapter has 4 fields"));
		range = g_strsplit(fields[2], "-", -1);
		if (g_strv_length(range) != 2 || strlen(range[0]) != 3 || strlen(range[1]) != 3 ||
		    strcmp(range[0], range[1]) > 0)
			return icd10_fail(error, number, _("the chapter's code range is wrong"));
		chapter = g_new0(NhipIcd10Chapter, 1);
		chapter->number = g_strdup(fields[1]);
		chapter->first = g_strdup(range[0]);
		chapter->last = g_strdup(range[1]);
		chapter->name = g_strdup(fields[3]);
		g_ptr_array_add(self->chapters, chapter);
		return TRUE;
	}
	if (g_strcmp0(fields[0], "code") == 0) {
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *code = NULL;
		NhipIcd10Entry *entry;
		const NhipIcd10Chapter *chapter = NULL;
		if (n != 3 || fields[2][0] == '\0')
			return icd10_fail(error, number, _("a code has 3 fields"));
		code = nhip_validate_icd10(fields[1], &error_local);
		if (code == NULL || g_strcmp0(code, fields[1]) != 0)
			return icd10_fail(error, number, _("the code is not a valid ICD-10 code"));
		for (guint i = 0; i < self->chapters->len; i++) {
			NhipIcd10Chapter *c = g_ptr_array_index(self->chapters, i);
			if (strncmp(code, c->first, 3) >= 0 && strncmp(code, c->last, 3) <= 0)
				chapter = c;
		}
		if (chapter == NULL)
			return icd10_fail(error, number, _("the code is in no chapter"));
		entry = g_new0(NhipIcd10Entry, 1);
		entry->code = g_steal_pointer(&code);
		entry->name = g_strdup(fields[2]);
		entry->chapter = chapter;
		entry->folded = nhip_text_fold(entry->name);
		entry->code_key = icd10_code_key(entry->code);
		if (g_hash_table_contains(self->by_code, entry->code_key)) {
			icd10_entry_free(entry);
			return icd10_fail(error, number, _("the code is listed twice"));
		}
		g_ptr_array_add(self->entries, entry);
		g_hash_table_insert(self->by_code, entry->code_key, entry);
		return TRUE;
	}
	return icd10_fail(error, number, _("a line starts with “chapter” or “code”"));
}

/**
 * nhip_icd10_catalog_new:
 * @tsv: the list file's contents
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the catalog, or %NULL with %NHIP_UI_ERROR_DATA
 * naming the bad line
 */
NhipIcd10Catalog *
nhip_icd10_catalog_new(GBytes *tsv, GError **error)
{
	g_autoptr(NhipIcd10Catalog) self = g_new0(NhipIcd10Catalog, 1);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize size = 0;
	const gchar *data;

	g_return_val_if_fail(tsv != NULL, NULL);
	self->chapters = g_ptr_array_new_with_free_func((GDestroyNotify)icd10_chapter_free);
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)icd10_entry_free);
	self->by_code = g_hash_table_new(g_str_hash, g_str_equal);

	data = g_bytes_get_data(tsv, &size);
	if (!g_utf8_validate_len(data, size, NULL)) {
		icd10_fail(error, 0, _("it is not UTF-8 text"));
		return NULL;
	}
	text = g_strndup(data, size);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_strchomp(lines[i]);
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		if (!icd10_parse_line(self, lines[i], i + 1, error))
			return NULL;
	}
	if (self->entries->len == 0) {
		icd10_fail(error, 0, _("it lists no codes"));
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * nhip_icd10_catalog_get_n_entries:
 * @self: a catalog
 *
 * Returns: the number of codes
 */
guint
nhip_icd10_catalog_get_n_entries(NhipIcd10Catalog *self)
{
	return self->entries->len;
}

/**
 * nhip_icd10_catalog_get_chapters:
 * @self: a catalog
 *
 * Returns: (transfer none) (element-type NhipIcd10Chapter): the chapters in order
 */
GPtrArray *
nhip_icd10_catalog_get_chapters(NhipIcd10Catalog *self)
{
	return self->chapters;
}

/**
 * nhip_icd10_catalog_lookup:
 * @self: a catalog
 * @code: a code, with or without its dot
 *
 * Returns: (transfer none) (nullable): the entry, or %NULL when the list does not have it
 */
const NhipIcd10Entry *
nhip_icd10_catalog_lookup(NhipIcd10Catalog *self, const gchar *code)
{
	g_autofree gchar *key = code != NULL ? icd10_code_key(code) : NULL;
	return key != NULL ? g_hash_table_lookup(self->by_code, key) : NULL;
}

/* does every query word start a word of the folded name? */
static gboolean
icd10_words_match(const gchar *folded, GStrv words, gboolean *first_word_starts)
{
	*first_word_starts = FALSE;
	for (guint i = 0; words[i] != NULL; i++) {
		gsize len = strlen(words[i]);
		gboolean found = FALSE;
		for (const gchar *p = folded; p != NULL && *p != '\0';) {
			if (strncmp(p, words[i], len) == 0) {
				found = TRUE;
				if (i == 0 && p == folded)
					*first_word_starts = TRUE;
				break;
			}
			p = strchr(p, ' ');
			if (p != NULL)
				p++;
		}
		if (!found)
			return FALSE;
	}
	return TRUE;
}

typedef struct {
	const NhipIcd10Entry *entry;
	guint rank;
	guint order;
} Icd10Hit;

static gint
icd10_hit_compare(gconstpointer a, gconstpointer b)
{
	const Icd10Hit *x = a;
	const Icd10Hit *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/**
 * nhip_icd10_catalog_search:
 * @self: a catalog
 * @query: (nullable): words of the name, typed with or without diacritics, or (the start
 *   of) a code; empty lists the chapter's codes
 * @chapter: (nullable): only codes of this chapter
 * @limit: at most this many results, 0 for all
 *
 * Ranks the exact code first, then codes that start with the query, then names whose
 * first word the query starts, then the other names with every query word.
 *
 * Returns: (transfer container) (element-type NhipIcd10Entry): the entries, owned by the
 * catalog
 */
GPtrArray *
nhip_icd10_catalog_search(NhipIcd10Catalog *self,
			  const gchar *query,
			  const NhipIcd10Chapter *chapter,
			  guint limit)
{
	g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(Icd10Hit));
	g_auto(GStrv) words = nhip_text_tokens(query != NULL ? query : "");
	g_autofree gchar *stripped = g_strstrip(g_strdup(query != NULL ? query : ""));
	g_autofree gchar *key = icd10_code_key(stripped);
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < self->entries->len; i++) {
		const NhipIcd10Entry *entry = g_ptr_array_index(self->entries, i);
		Icd10Hit hit = { entry, 0, i };
		gboolean starts = FALSE;

		if (chapter != NULL && entry->chapter != chapter)
			continue;
		if (words[0] == NULL)
			hit.rank = 4;
		else if (key != NULL && g_strcmp0(entry->code_key, key) == 0)
			hit.rank = 0;
		else if (key != NULL && g_str_has_prefix(entry->code_key, key))
			hit.rank = 1;
		else if (icd10_words_match(entry->folded, words, &starts))
			hit.rank = starts ? 2 : 3;
		else
			continue;
		g_array_append_val(hits, hit);
	}
	g_array_sort(hits, icd10_hit_compare);
	for (guint i = 0; i < hits->len && (limit == 0 || i < limit); i++)
		g_ptr_array_add(out, (gpointer)g_array_index(hits, Icd10Hit, i).entry);
	return out;
}
