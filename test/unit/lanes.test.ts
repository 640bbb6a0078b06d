/** The per-key lanes the API sends a case's Updates through: one at a time per key, keys independent. */
import { Lanes } from '../../platform/lanes';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('lanes', () => {
  it('when calls share a key, then each starts after the one before has ended, in order, even after a failure', async () => {
    const lanes = new Lanes();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const call = (name: string, fail = false) =>
      lanes.run('case-1', async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([call('a'), call('b', true), call('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(most).toBe(1);
  });

  it('when calls have different keys, then they run at the same time', async () => {
    const lanes = new Lanes();
    let running = 0;
    let most = 0;
    await Promise.all(
      ['x', 'y', 'z'].map((key) =>
        lanes.run(key, async () => {
          running += 1;
          most = Math.max(most, running);
          await tick();
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});
