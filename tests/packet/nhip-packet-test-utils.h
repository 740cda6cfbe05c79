/*
 * Nhịp — helpers shared by the packet tests: a hub folder with a real CA, stations
 * enrolled in it, and running the openssl command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-ca.h"
#include "nhip-packet.h"

G_BEGIN_DECLS

typedef struct {
	gchar *tmp;		/* the test's folder, removed at the end */
	gchar *hub_dir;		/* <tmp>/hub: nhip_ca_init()'d */
	NhipIdentity *hub_enc;	/* the hub encryption identity */
	NhipIdentity *hub_sign; /* the hub signing identity */
	X509_STORE *trust;	/* CA + CRL */
	NhipIdentity *station;	/* station "ST-001", enrolled */
	gchar *station_key;	/* its key file */
} NhipPacketFixture;

void nhip_packet_fixture_setup(NhipPacketFixture *fixture, gconstpointer data);
void nhip_packet_fixture_teardown(NhipPacketFixture *fixture, gconstpointer data);

NhipIdentity *nhip_test_enroll_station(const gchar *hub_dir,
				       const gchar *work_dir,
				       const gchar *code,
				       GDateTime *not_before,
				       GDateTime *not_after,
				       const gchar *ext_key_usage);
gchar *nhip_packet_test_run(const gchar *const *argv, gint *status);
void nhip_test_write(const gchar *path, GBytes *bytes);
GBytes *nhip_test_read(const gchar *path);

G_END_DECLS
