import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSampler } from './process.sampler.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A Node process running `script`, once it has said it is ready. */
async function node(script: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await said(child, 'ready');
  return child;
}

function said(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (chunk: Buffer) => {
      if (!chunk.toString().includes(word)) return;
      child.stdout!.off('data', listen);
      resolve();
    };
    child.stdout!.on('data', listen);
  });
}

describe.runIf(process.platform === 'linux')('ProcessSampler', () => {
  it("measures a busy process's CPU near one core and an idle one's near none", async () => {
    const busy = (await node('console.log("ready"); for (;;) {}')).pid!;
    const idle = (await node('console.log("ready"); setInterval(() => {}, 1000)')).pid!;
    const sampler = new ProcessSampler([
      { name: 'busy', pid: busy },
      { name: 'idle', pid: idle },
    ]);
    sampler.begin();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [b, i] = sampler.end();
    expect(b!.name).toBe('busy');
    // Other work on a shared machine may take much of the core from it.
    expect(b!.cpuPercent).toBeGreaterThan(10);
    expect(b!.cpuPercent).toBeLessThan(115);
    expect(i!.cpuPercent).toBeLessThan(10);
  });

  it('reports the peak resident set of the run, not the size at its end', async () => {
    // Takes 200 MiB for a moment when told to, then lets it go.
    const child = await node(`
      process.on('SIGUSR2', () => {
        let block = Buffer.alloc(200 * 1048576, 1);
        console.log('allocated');
        setTimeout(() => { block = null; }, 300);
      });
      setInterval(() => {}, 1000);
      console.log('ready');
    `);
    const pid = child.pid!;
    const before = new ProcessSampler([{ name: 'p', pid }]);
    before.begin();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [quiet] = before.end();
    const sampler = new ProcessSampler([{ name: 'p', pid }]);
    sampler.begin();
    const allocated = said(child, 'allocated');
    process.kill(pid, 'SIGUSR2');
    await allocated;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [peak] = sampler.end();
    expect(quiet!.peakRssMiB).toBeLessThan(150);
    expect(peak!.peakRssMiB).toBeGreaterThan(quiet!.peakRssMiB + 150);
  });
});
