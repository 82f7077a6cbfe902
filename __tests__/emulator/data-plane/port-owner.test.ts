// Who holds a listening port (emulator/data-plane/port-owner.ts): an instance's startup check must not take
// another process's listener on the port chosen for it for the instance itself.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { groupListensOn } from '../../../emulator/data-plane/port-owner';

test('a process group owns its own listener and not another process’s on a different port', async () => {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port); })",
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve) =>
      child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherPort = (other.address() as net.AddressInfo).port;
    try {
      expect(groupListensOn(child.pid!, port)).toBe(true);
      expect(groupListensOn(child.pid!, otherPort)).toBe(false);
    } finally {
      other.close();
    }
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
});
