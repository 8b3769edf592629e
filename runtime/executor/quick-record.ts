/**
 * Whether a function version's synchronous entries have been quick, so that its table writes
 * may wait for a shared commit (commit-hold.ts). A held write keeps the tables file's write
 * lock until the commit, and the guest may compute after it inside the same entry, out of
 * anyone's reach: only its past can tell. A version is judged quick after QUICK_STREAK quick
 * entries in a row; an entry of a quick version that turns out slow (it held the lock that
 * long, if it wrote) doubles the streak it needs, so a version that is slow now and then holds
 * the lock ever more rarely. Pure: the caller measures.
 */

/**
 * The time (ms) past which an entry is not quick. The tutorial's entries take ≈ 0.1 ms. An
 * entry is judged by the smaller of its thread CPU and its wall time: the thread's CPU clock
 * advances in steps of a scheduler tick on some kernels (4 ms here: a 0.1 ms entry can read
 * 4 ms), and wall time grows when the machine is busy; a guest that computes long shows on both.
 */
export const QUICK_ENTRY_MS = 5;
/** Quick entries in a row before a version's writes are held. */
export const QUICK_STREAK = 4;
/** The most a version can be made to need after slow entries. */
const MAX_STREAK = 4096;

export class QuickRecord {
  #streak = 0;
  #needed = QUICK_STREAK;

  /** The version's next entry may hold its writes. */
  get quick(): boolean {
    return this.#streak >= this.#needed;
  }

  /** Records one synchronous entry: the thread CPU and the wall time it took. */
  entered(cpuMs: number, wallMs: number): void {
    if (Math.min(cpuMs, wallMs) <= QUICK_ENTRY_MS) {
      if (this.#streak < this.#needed) this.#streak++;
      return;
    }
    if (this.quick) this.#needed = Math.min(this.#needed * 2, MAX_STREAK);
    this.#streak = 0;
  }
}
