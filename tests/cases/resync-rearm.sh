#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A loss reported while a resync pass runs is not dropped: the pass that
# it asks for runs by itself, from the work item, within the back-off,
# and until then stats says a resync is pending. The test build reports
# one loss at the end of the adoption pass (test_loss_in_pass=1), after
# the blocks were snapshotted, and keeps debugfs readers from running
# passes themselves (reader_sync=0), so stats shows what the work item
# alone did. Before the fix the work item ran while the back-off still
# held, returned, and left the request set with nothing scheduled: every
# block uncertain, for good, and "resync_pending 0".
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
tctl map a 4
tctl map b 16
load_vmapview_testing test_loss_in_pass=1 reader_sync=0
# The back-off after a pass is 50 ms; a pass over a few blocks takes far
# less than a second even on the debug kernel.
for i in $(seq 50); do
	[ "$(vmv stat resyncs)" -ge 1 ] && [ "$(vmv stat uncertain_blocks)" = 0 ] &&
		[ "$(vmv stat resync_pending)" = 0 ] && break
	sleep 0.2
done
grep -E '^(resyncs|uncertain_blocks|resync_pending|lost_events|blocks) ' "$VMV_DEBUGFS/stats"
[ "$(vmv stat lost.missed_probe)" -ge 1 ] || fail "the injected loss is not counted"
[ "$(vmv stat blocks)" -ge 1 ] || fail "no block in the mirror: nothing could be uncertain"
[ "$(vmv stat resyncs)" -ge 1 ] || fail "the loss reported during the adoption pass got no pass in 10 s"
expect_eq "uncertain blocks after the pass" "$(vmv stat uncertain_blocks)" 0
expect_eq "resync_pending after the pass" "$(vmv stat resync_pending)" 0
