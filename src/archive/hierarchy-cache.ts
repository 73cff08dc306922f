/** Index rows of a series already in the archive: what an arriving instance of that series hangs under. */
export interface SeriesRefs {
  studyInstanceUid: string;
  studyRef: number;
  seriesRef: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Series recently written to, so that the second and later instances of a series skip the patient, study
 * and series look-ups (most of an instance's statements). Filled only after a commit, so it never names a
 * row that was rolled back. Whatever removes a study or series must call `forget`.
 */
export class HierarchyCache {
  private readonly entries = new Map<string, SeriesRefs>();

  get(seriesInstanceUid: string, studyInstanceUid: string): SeriesRefs | undefined {
    const refs = this.entries.get(seriesInstanceUid);
    // A series UID arriving under another study is unusual data: take the slow path that checks it.
    return refs?.studyInstanceUid === studyInstanceUid ? refs : undefined;
  }

  remember(seriesInstanceUid: string, refs: SeriesRefs): void {
    this.entries.delete(seriesInstanceUid);
    this.entries.set(seriesInstanceUid, refs);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(seriesInstanceUid: string): void {
    this.entries.delete(seriesInstanceUid);
  }
}
