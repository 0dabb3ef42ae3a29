/** A key's use is noted at most this often per api instance. */
export const NOTE_EVERY_MS = 60_000;
const MAX_TRACKED = 100_000;

/** When keys were last used, noted in process (a map lookup per request) and handed over to be written in one go. */
export class KeyUsage {
  private readonly noted = new Map<string, number>();
  private pending = new Map<string, Date>();

  note(keyId: string, now: number): void {
    const last = this.noted.get(keyId);
    if (last !== undefined && now - last < NOTE_EVERY_MS) return;
    if (this.noted.size >= MAX_TRACKED) this.noted.clear();
    this.noted.set(keyId, now);
    this.pending.set(keyId, new Date(now));
  }

  /** What was noted since the last call. */
  take(): Map<string, Date> {
    const taken = this.pending;
    this.pending = new Map();
    return taken;
  }

  /** A write that failed: its notes wait for the next one (a newer note of the same key wins). */
  giveBack(notes: ReadonlyMap<string, Date>): void {
    for (const [id, at] of notes) if (!this.pending.has(id)) this.pending.set(id, at);
  }
}
