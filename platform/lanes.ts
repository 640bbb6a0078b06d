/**
 * Runs calls one after another per key, in this process: the Updates to one case go one at a time. Many Updates
 * racing into one workflow at once (an integrator sending a session's attendance for 2,000 workers) made the SDK's
 * core drop some of them on this version; one at a time costs a case nothing it would not wait for anyway, since
 * the workflow applies them in order.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
