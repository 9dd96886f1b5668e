/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmapview's counters, listed once: stats.h includes this file for the
 * enums, debugfs.c for the keys it prints, so no include guard.
 * VMV_STAT(ID, "key", "what it counts") is the counter VMV_STAT_ID;
 * VMV_LOST(REASON, ...) is VMV_LOST_REASON, a cause of lost_events, why
 * the mirror lost track (vmv_lost_event()). The stats file prints each as "key value", in the order
 * listed, among values it computes itself (the comments say where): that
 * order is part of its format, so a counter goes where its line goes.
 * man/vmapview.4 documents every key (tests/host/stats-doc.sh checks);
 * keys may be added, never renamed.
 */
/* printed after the mirror's totals */
VMV_STAT(MAPS, "maps", "vm_map_ram() calls seen")
VMV_STAT(UNMAPS, "unmaps", "vm_unmap_ram() calls seen")
VMV_STAT(PURGES, "purges", "purge_fragmented_blocks_allcpus() calls")
VMV_STAT(UNMAP_ALIASES, "unmap_aliases", "_vm_unmap_aliases() calls")
VMV_STAT(BLOCKS_FREED, "blocks_freed", "blocks the mirror saw the kernel free")
VMV_STAT(LOST_EVENTS, "lost_events", "events not applied exactly")
VMV_LOST(MISSED_PROBE, "lost.missed_probe", "a kprobe or kretprobe missed hits")
VMV_LOST(MAP_RECORD, "lost.no_record", "no record free for an allocation")
VMV_LOST(UNMAP_BLOCK, "lost.unmap_unknown_block",
	 "an unmap inside a block the mirror lacks")
VMV_LOST(UNMAP_AREA, "lost.unmap_unknown_area",
	 "an unmap of a large area the mirror lacks")
VMV_LOST(BAD_EVENT, "lost.bad_event", "a map past the end of its block")
VMV_STAT(STALE_AREAS, "stale_areas_dropped",
	 "adopted large-area records a rescan dropped")
VMV_STAT(RESYNCS, "resyncs", "resync passes")
VMV_STAT(RESYNC_RETRIES, "resync_retries",
	 "block snapshots retried as the block changed meanwhile")
VMV_STAT(RESYNC_FAILURES, "resync_failures", "block or large-area resyncs that failed")
VMV_STAT(RECORD_CAP, "record_cap_hits", "records the cap kept from being made")
VMV_STAT(ALIAS_OVERLAPS, "unmap_alias_overlaps",
	 "unmaps a _vm_unmap_aliases() overlapped")
VMV_STAT(ALIAS_RESYNCS, "resync_alias_overlaps",
	 "block resyncs a _vm_unmap_aliases() overlapped, left uncertain")
VMV_STAT(POOL_EMPTY, "pool_empty", "events that found their record pool short")
VMV_STAT(VA_FREE_RESCANS, "va_free_rescans", "large rescans a vfree() asked for")
VMV_STAT(SPARSE_WAITS, "sparse_waits",
	 "mem reads of an arena page that waited for an arena being freed")
/* printed after the probes' lines (vmv_probes_show()) */
VMV_STAT(VB_ALLOC, "vb_alloc_calls", "vb_alloc() calls")
VMV_STAT(VB_FREE, "vb_free_calls", "vb_free() calls")
/* not printed: the stats file shows the mirror's areas instead */
VMV_STAT(AREAS, NULL, "live allocation records (a CPU's may be < 0)")
