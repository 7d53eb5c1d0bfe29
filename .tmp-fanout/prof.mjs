import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
if (process.argv.some((a) => a.endsWith('src/main.ts'))) {
  const s = new Session();
  s.connect();
  s.post('Profiler.enable');
  s.post('Profiler.setSamplingInterval', { interval: 500 });
  s.post('Profiler.start');
  process.on('exit', () => {
    s.post('Profiler.stop', (err, { profile }) => {
      writeFileSync(`/tmp/huiwu-prof/${process.pid}.cpuprofile`, JSON.stringify(profile));
    });
  });
}
