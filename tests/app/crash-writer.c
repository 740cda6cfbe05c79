/*
 * Nhịp — a writer process for the crash-safety test: it registers patients and records
 * visits as fast as it can, and after each commit prints what is now committed. The test
 * kills it with SIGKILL at random moments and checks every printed line against the file.
 *
 *   crash-writer DB SEED
 * prints "P <patient id>" after a patient is committed and "V <visit id> <n>" after a
 * visit's n observations are committed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nhip-demo.h"
#include "nhip-store.h"

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GRand) rand = NULL;

	if (argc != 3) {
		g_printerr("usage: crash-writer DB SEED\n");
		return 2;
	}
	rand = g_rand_new_with_seed((guint32)g_ascii_strtoull(argv[2], NULL, 10));
	store = nhip_store_open(argv[1], &error);
	if (store == NULL) {
		g_printerr("crash-writer: %s\n", error->message);
		return 5;
	}
	/* tell the parent we are ready to be killed */
	printf("R\n");
	fflush(stdout);
	for (;;) {
		g_autoptr(NhipPatient) patient = nhip_demo_make_patient(rand);
		g_autoptr(GPtrArray) obs =
			g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
		gint64 visit;
		guint n = (guint)g_rand_int_range(rand, 1, 6);

		/* made-up citizen IDs can clash: drop the number and keep going */
		g_clear_pointer(&patient->cccd, g_free);
		if (nhip_store_patient_add(store, patient, &error) == 0) {
			g_printerr("crash-writer: %s\n", error->message);
			return 5;
		}
		printf("P %" G_GINT64_FORMAT "\n", patient->id);
		fflush(stdout);
		visit = nhip_store_visit_open(store, patient->id, "crash test", &error);
		if (visit == 0) {
			g_printerr("crash-writer: %s\n", error->message);
			return 5;
		}
		for (guint i = 0; i < n; i++)
			g_ptr_array_add(
				obs, nhip_observation_new(NHIP_VITAL_PULSE,
							  60 + g_rand_int_range(rand, 0, 40), NAN));
		if (!nhip_store_observations_add(store, visit, obs, &error)) {
			g_printerr("crash-writer: %s\n", error->message);
			return 5;
		}
		printf("V %" G_GINT64_FORMAT " %u\n", visit, n);
		fflush(stdout);
	}
	return 0;
}
