/*
 * Nhịp — signed update bundles and their safe installation.
 *
 * An update bundle (nhip-update-VERSION.nhipupd) is a POSIX ustar archive:
 *   manifest.json   {"format":"nhip-update","version":1,"release":"0.2.0","created":…,
 *                    "packages":[{"name","version","architecture","file","size","sha256"}]}
 *   manifest.sig    the vendor's Ed25519 signature of manifest.json (64 bytes)
 *   *.deb           the packages, each listed in the manifest
 * The vendor's public key is pinned on the station (a file installed with the package);
 * nothing in a bundle is used before the signature verifies against it and every hash
 * matches. `openssl pkeyutl -verify -rawin` checks the same signature (docs/updates.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_UPDATE_SUFFIX "nhipupd"
/* the most packages in one bundle */
#define NHIP_UPDATE_MAX_PACKAGES 32

/**
 * NhipUpdatePackage:
 * @name: the Debian package name
 * @version: its version
 * @architecture: its architecture ("amd64", "all")
 * @file: the .deb's name in the bundle
 * @size: its size
 * @sha256: its SHA-256 in lower-case hex
 */
typedef struct {
	gchar *name;
	gchar *version;
	gchar *architecture;
	gchar *file;
	guint64 size;
	gchar *sha256;
} NhipUpdatePackage;

/**
 * NhipUpdateManifest:
 * @release: the release the bundle brings, e.g. "0.2.0"
 * @created: when it was made
 * @packages: (element-type NhipUpdatePackage): what it installs
 */
typedef struct {
	gchar *release;
	GDateTime *created;
	GPtrArray *packages;
} NhipUpdateManifest;

void nhip_update_manifest_free(NhipUpdateManifest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipUpdateManifest, nhip_update_manifest_free)
NhipUpdateManifest *nhip_update_manifest_parse(GBytes *json,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_update_manifest_to_json(const NhipUpdateManifest *self) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_update_keygen(const gchar *key_path, const gchar *public_path, GError **error);
gboolean nhip_update_make_bundle(const gchar *key_path,
				 const gchar *out_path,
				 const gchar *release,
				 const gchar *const *debs,
				 GError **error);
NhipUpdateManifest *nhip_update_verify(const gchar *bundle_path,
				       const gchar *vendor_key_path,
				       const gchar *extract_dir,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * NhipUpdateOptions:
 * @db_path: the station database (snapshotted before, migrated after)
 * @vendor_key: the pinned vendor public key (PEM)
 * @state_dir: where the previous packages, the snapshot and the work files are kept
 *   (/var/lib/nhip/updates)
 * @dpkg: (array zero-terminated=1): the dpkg command, e.g. {"dpkg", NULL}; tests give
 *   {"dpkg", "--root=…", "--admindir=…", NULL}
 * @migrate: (array zero-terminated=1) (nullable): the command that migrates the database
 *   with the new version
 * @health: (array zero-terminated=1) (nullable): the health check of the new version; a
 *   non-zero exit rolls back
 * @services: (array zero-terminated=1) (nullable): systemd units to restart when running
 *   under systemd
 * @apt_cache: (nullable): where apt keeps downloaded packages (/var/cache/apt/archives): a
 *   second place to find the installed version's .deb
 */
typedef struct {
	const gchar *db_path;
	const gchar *vendor_key;
	const gchar *state_dir;
	gchar **dpkg;
	gchar **migrate;
	gchar **health;
	gchar **services;
	const gchar *apt_cache;
} NhipUpdateOptions;

/**
 * NhipUpdateResult:
 * @manifest: the bundle's manifest
 * @up_to_date: every package was at the bundle's version already: nothing was done
 * @steps: (element-type utf8): what was done, one line each, for the technician
 */
typedef struct {
	NhipUpdateManifest *manifest;
	gboolean up_to_date;
	GPtrArray *steps;
} NhipUpdateResult;

void nhip_update_result_free(NhipUpdateResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipUpdateResult, nhip_update_result_free)

NhipUpdateResult *nhip_update_apply(const gchar *bundle_path,
				    const NhipUpdateOptions *options,
				    GPtrArray *steps,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_update_deb_field(const gchar *deb,
			     const gchar *field,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
