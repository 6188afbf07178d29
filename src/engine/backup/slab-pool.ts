// Output slabs handed back once written, so a backup reuses a few of them instead of allocating
// one per MiB: in berthd a GiB of short-lived 1 MiB Buffers (external memory) made V8 run about
// 120 full collections, more CPU than the sha256 of the same bytes.

export const SLAB = 1 << 20;
/** Slabs kept for reuse (more are allocated while the consumer holds them all). */
const KEEP = 16;

export class SlabPool {
  private readonly free: Buffer[] = [];
  /** Slabs handed out and not back yet: a buffer is reused only once, after its own release. */
  private readonly out = new WeakSet<ArrayBuffer>();

  take(): Buffer {
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(SLAB);
    this.out.add(b.buffer as ArrayBuffer);
    return b;
  }

  /** Takes back a slab (or the start of one) that nothing reads any more; other buffers are ignored. */
  release(b: Buffer): void {
    const ab = b.buffer as ArrayBuffer;
    if (b.byteOffset !== 0 || !this.out.delete(ab) || this.free.length >= KEEP) return;
    this.free.push(Buffer.from(ab, 0, SLAB));
  }
}
